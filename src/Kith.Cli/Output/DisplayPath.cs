namespace Kith.Cli.Output;

/// <summary>Paths as a person wants to read them: relative when under the current folder.</summary>
internal static class DisplayPath
{
    public static string Of(string path)
    {
        var relative = Path.GetRelativePath(Environment.CurrentDirectory, path);
        return relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative) ? path : relative;
    }
}
