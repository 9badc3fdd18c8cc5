using System.Text.RegularExpressions;

namespace Kith.Inventory;

/// <summary>Reads a service's <c>files:</c> block: paths, owner, group and mode of its certificate files.</summary>
internal static partial class ServiceFilesReader
{
    private static readonly string[] Keys = ["dir", "cert", "key", "fullchain", "owner", "group", "mode"];

    public static ServiceFiles? Read(NodeReader reader, YNode? node, string field)
    {
        var map = reader.Map(node, field);
        if (map is null)
        {
            return null;
        }

        reader.OnlyKeys(map, field, Keys);
        return new ServiceFiles(
            Dir: Path(reader, map, field, "dir"),
            Cert: Path(reader, map, field, "cert"),
            Key: Path(reader, map, field, "key"),
            Fullchain: Path(reader, map, field, "fullchain"),
            Owner: Account(reader, map, field, "owner"),
            Group: Account(reader, map, field, "group"),
            Mode: Mode(reader, map, field));
    }

    /// <summary>
    /// Why <paramref name="path"/> is refused as a place to write certificate files, or empty: it must
    /// be absolute (the agent runs from any directory), without <c>..</c> segments (so it cannot climb
    /// out of the directory it names), and without NUL or line breaks (which no sane path holds).
    /// </summary>
    public static string CheckPath(string path)
    {
        if (path.IndexOfAny(['\0', '\n', '\r']) >= 0)
        {
            return "the path contains a NUL or line-break character";
        }

        if (!path.StartsWith('/'))
        {
            return $"'{path}' is not an absolute path; start it with '/', e.g. /var/lib/acme/<name>";
        }

        if (path.Split('/').Contains(".."))
        {
            return $"'{path}' contains a '..' segment; write the directory it means directly";
        }

        return string.Empty;
    }

    private static string? Path(NodeReader reader, YMapping map, string field, string key)
    {
        var node = NodeReader.Get(map, key);
        var text = reader.Text(node, $"{field}.{key}");
        if (text is null || node is null)
        {
            return null;
        }

        var error = CheckPath(text);
        if (error.Length > 0)
        {
            reader.Error(node, $"{field}.{key}", error);
            return null;
        }

        return text;
    }

    // The portable user/group name pattern of useradd(8) (NAME_REGEX default), without the trailing '$'.
    private static string? Account(NodeReader reader, YMapping map, string field, string key)
    {
        var node = NodeReader.Get(map, key);
        var text = reader.Text(node, $"{field}.{key}");
        if (text is null || node is null)
        {
            return null;
        }

        if (!AccountName().IsMatch(text) || text.Length > 32)
        {
            reader.Error(node, $"{field}.{key}", $"{key} '{text}' is not a valid account name; use lower-case letters, digits, '_' and '-', starting with a letter or '_' (at most 32)");
            return null;
        }

        return text;
    }

    private static string? Mode(NodeReader reader, YMapping map, string field)
    {
        var node = NodeReader.Get(map, "mode");
        var text = reader.Text(node, field + ".mode");
        if (text is null || node is not YScalar scalar)
        {
            return null;
        }

        if (!OctalMode().IsMatch(text))
        {
            reader.Error(node, field + ".mode", $"mode '{text}' is not an octal permission string; write it like \"0600\" or \"0640\"");
            return null;
        }

        // Unquoted, YAML 1.1 reads 0640 as octal 416 and YAML 1.2 as decimal 640: only a string is unambiguous.
        if (scalar.IsPlain)
        {
            reader.Error(node, field + ".mode", $"quote the mode, as in mode: \"{text}\"; an unquoted number means different things to different YAML readers");
            return null;
        }

        return text.Length == 3 ? "0" + text : text;
    }

    [GeneratedRegex(@"^[a-z_][a-z0-9_-]*\z")]
    private static partial Regex AccountName();

    [GeneratedRegex(@"^0?[0-7]{3}\z")]
    private static partial Regex OctalMode();
}
