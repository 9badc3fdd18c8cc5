namespace Kith.IntegrationTests.Support;

/// <summary>Files of this repository (the examples a user starts from), found from the test's output folder.</summary>
internal static class Repository
{
    private static readonly Lazy<string> RootFolder = new(() =>
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "kith.slnx")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException("kith.slnx not found above the test's output folder");
    });

    public static string Root => RootFolder.Value;

    public static string Example(string name) => File.ReadAllText(Path.Combine(Root, "examples", name));
}
