using System.Security.Cryptography;
using System.Text;

namespace Kith.IntegrationTests.Support;

/// <summary>
/// Every entry below a folder with what identifies it: a file's size, modification time, mode and
/// SHA-256; a symlink's target; a folder's mode. Two equal snapshots mean nothing was written.
/// </summary>
internal sealed class FolderSnapshot
{
    private readonly SortedDictionary<string, string> entries;

    private FolderSnapshot(SortedDictionary<string, string> entries) => this.entries = entries;

    public IReadOnlyDictionary<string, string> Entries => entries;

    public static FolderSnapshot Take(string root)
    {
        var entries = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (Directory.Exists(root))
        {
            Walk(root, new DirectoryInfo(root), entries);
        }

        return new FolderSnapshot(entries);
    }

    /// <summary>Fails listing what was added, removed or changed.</summary>
    public void AssertUnchanged(FolderSnapshot after, string what = "the folder")
    {
        ArgumentNullException.ThrowIfNull(after);
        var diff = new StringBuilder();
        foreach (var (path, value) in entries)
        {
            if (!after.entries.TryGetValue(path, out var now))
            {
                diff.AppendLine($"removed  {path}");
            }
            else if (now != value)
            {
                diff.AppendLine($"changed  {path}: {value} -> {now}");
            }
        }

        foreach (var path in after.entries.Keys.Where(p => !entries.ContainsKey(p)))
        {
            diff.AppendLine($"added    {path}");
        }

        Assert.True(diff.Length == 0, $"{what} changed:\n{diff}");
    }

    private static void Walk(string root, DirectoryInfo folder, SortedDictionary<string, string> entries)
    {
        foreach (var entry in folder.EnumerateFileSystemInfos())
        {
            var relative = Path.GetRelativePath(root, entry.FullName);
            if (entry.LinkTarget is { } target)
            {
                entries[relative] = $"symlink -> {target}";
            }
            else if (entry is DirectoryInfo child)
            {
                entries[relative + "/"] = $"folder {Convert.ToString((int)child.UnixFileMode, 8)}";
                Walk(root, child, entries);
            }
            else if (entry is FileInfo file)
            {
                var hash = Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(file.FullName)));
                entries[relative] = $"{file.Length} bytes, mtime {file.LastWriteTimeUtc:O}, mode {Convert.ToString((int)file.UnixFileMode, 8)}, sha256 {hash}";
            }
        }
    }
}
