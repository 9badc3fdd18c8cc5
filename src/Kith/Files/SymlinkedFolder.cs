namespace Kith.Files;

/// <summary>
/// Finds a symlink among the folders of a path: a key copy written through one would land wherever the link
/// points, which whoever could create the link chose. Keys go only into real folders.
/// </summary>
public static class SymlinkedFolder
{
    /// <summary>
    /// The first folder of <paramref name="path"/>'s folders, below <paramref name="root"/> (not checked: the
    /// operator chose it), that is a symlink; null when every existing one is a real folder.
    /// </summary>
    public static string? Find(string root, string path)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(path);
        root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        var folder = Path.GetDirectoryName(Path.GetFullPath(path));
        var folders = new List<string>();
        while (folder is not null && folder.Length > root.Length && folder.StartsWith(root, StringComparison.Ordinal))
        {
            folders.Add(folder);
            folder = Path.GetDirectoryName(folder);
        }

        folders.Reverse();
        return folders.FirstOrDefault(f => new FileInfo(f).LinkTarget is not null);
    }
}
