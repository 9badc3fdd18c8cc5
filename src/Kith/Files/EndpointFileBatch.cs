using System.Text;

namespace Kith.Files;

/// <summary>
/// Writes many endpoints' files so that each endpoint's cert and key change together and a crash leaves
/// either the old set or the new one. Each endpoint folder is a symlink to a generation folder beside
/// it; <see cref="Stage"/> fills a new generation, <see cref="Commit"/> flushes the file system once
/// (one syncfs instead of an fsync per file: 10,000 endpoints write 50,000 files) and then swaps every
/// symlink with an atomic rename.
/// </summary>
public sealed class EndpointFileBatch
{
    private readonly List<StagedEndpoint> staged = [];
    private readonly Lock gate = new();
    private int swapped;

    public int Count => staged.Count;

    /// <summary>
    /// Writes a new generation for <paramref name="folder"/>. Throws <see cref="KithException"/> when
    /// <paramref name="folder"/> is a real folder kith does not manage.
    /// </summary>
    public void Stage(string folder, EndpointFiles files, FileOwnership ownership)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(ownership);
        folder = Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder));
        var existing = new FileInfo(folder);
        CheckManaged(folder);

        var parent = Path.GetDirectoryName(folder)!;
        Directory.CreateDirectory(parent);
        var generationName = $".{Path.GetFileName(folder)}.{DateTime.UtcNow:yyyyMMddHHmmss}-{Guid.NewGuid().ToString("N")[..16]}";
        var generation = Path.Combine(parent, generationName);
        const UnixFileMode FolderMode = AtomicFile.PublicMode | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        // mkdir(2) fails on anything already there, a planted symlink included: the files below are
        // created with O_EXCL too, so nothing here ever writes through a link someone else made.
        UnixFiles.MakeDirectory(generation, FolderMode);
        try
        {
            // File creation is most of apply's cost on a large fleet (ext4 here: ~200 µs a file), so
            // each file costs one open with its final mode, one write, one close; chmod only when the
            // umask narrowed the mode.
            foreach (var (name, content, secret) in files.All())
            {
                var mode = secret ? ownership.SecretMode : AtomicFile.PublicMode;
                var path = Path.Combine(generation, name);
                var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = mode, BufferSize = 0 };
                using (var stream = new FileStream(path, options))
                {
                    if (UnixFiles.NarrowedByUmask(mode))
                    {
                        // fchmod on the open file, never chmod by name (which would follow a swapped-in symlink).
                        File.SetUnixFileMode(stream.SafeFileHandle, mode);
                    }

                    stream.Write(Encoding.UTF8.GetBytes(content));
                }

                ApplyOwner(path, ownership);
            }

            if (UnixFiles.NarrowedByUmask(FolderMode))
            {
                File.SetUnixFileMode(generation, FolderMode);
            }

            ApplyOwner(generation, ownership);
        }
        catch
        {
            Directory.Delete(generation, recursive: true);
            throw;
        }

        lock (gate)
        {
            staged.Add(new StagedEndpoint(folder, generationName, existing.LinkTarget, ownership));
        }
    }

    /// <summary>
    /// Throws <see cref="KithException"/> unless <paramref name="folder"/> is absent or a symlink kith
    /// can swap: a real folder or a file there is the user's, and kith does not replace it.
    /// </summary>
    public static void CheckManaged(string folder)
    {
        folder = Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder));
        var existing = new FileInfo(folder);
        if (existing.LinkTarget is not null)
        {
            return;
        }

        if (Directory.Exists(folder))
        {
            throw new KithException($"{folder}: is a folder kith did not create; move it away (kith manages it as a symlink to versioned folders)");
        }

        if (existing.Exists)
        {
            throw new KithException($"{folder}: is a file, where kith should write an endpoint's folder; move it away or change files.dir");
        }
    }

    /// <summary>Makes every staged generation durable, then points each endpoint folder at it.</summary>
    public void Commit()
    {
        foreach (var root in staged.Select(s => Path.GetDirectoryName(s.Folder)!).Distinct().Take(1))
        {
            UnixFiles.SyncFileSystem(root);
        }

        foreach (var endpoint in staged)
        {
            var parent = Path.GetDirectoryName(endpoint.Folder)!;
            var link = Path.Combine(parent, $".{Path.GetFileName(endpoint.Folder)}.link-{Guid.NewGuid():N}");
            File.CreateSymbolicLink(link, endpoint.Generation);
            ApplyOwner(link, endpoint.Ownership, noFollow: true);
            UnixFiles.Rename(link, endpoint.Folder);
            swapped++;
            // Only a generation of this folder (by its exact shape) is deleted: a link planted to point at some
            // other folder beside it must not get that folder removed.
            if (endpoint.PreviousGeneration is { } previous && IsGenerationOf(Path.GetFileName(endpoint.Folder), previous))
            {
                var old = Path.Combine(parent, previous);
                if (Directory.Exists(old))
                {
                    Directory.Delete(old, recursive: true);
                }
            }
        }

        foreach (var parent in staged.Select(s => Path.GetDirectoryName(s.Folder)!).Distinct())
        {
            AtomicFile.FlushFolder(parent);
        }

        staged.Clear();
        swapped = 0;
    }

    /// <summary>
    /// Removes every staged generation not yet swapped in; those endpoints keep their current files. After a
    /// <see cref="Commit"/> that failed part way, the endpoints already swapped keep their new files.
    /// </summary>
    public void Abandon()
    {
        foreach (var endpoint in staged.Skip(swapped))
        {
            var generation = Path.Combine(Path.GetDirectoryName(endpoint.Folder)!, endpoint.Generation);
            if (Directory.Exists(generation))
            {
                Directory.Delete(generation, recursive: true);
            }
        }

        staged.Clear();
        swapped = 0;
    }

    /// <summary>True when <paramref name="name"/> has exactly the shape <see cref="Stage"/> gives a generation of <paramref name="folderName"/>.</summary>
    public static bool IsGenerationOf(string folderName, string name)
    {
        ArgumentNullException.ThrowIfNull(folderName);
        ArgumentNullException.ThrowIfNull(name);
        var prefix = $".{folderName}.";
        if (!name.StartsWith(prefix, StringComparison.Ordinal))
        {
            return false;
        }

        // .<folder>.<yyyyMMddHHmmss>-<8 to 16 lowercase hex>
        var rest = name.AsSpan(prefix.Length);
        return rest.Length is >= 23 and <= 31
            && !rest[..14].ContainsAnyExceptInRange('0', '9')
            && rest[14] == '-'
            && !rest[15..].ContainsAnyExcept("0123456789abcdef");
    }

    /// <summary>True when <paramref name="name"/> has exactly the shape <see cref="Commit"/> gives the temporary link of <paramref name="folderName"/>.</summary>
    public static bool IsTemporaryLinkOf(string folderName, string name)
    {
        ArgumentNullException.ThrowIfNull(folderName);
        ArgumentNullException.ThrowIfNull(name);
        var prefix = $".{folderName}.link-";
        // .<folder>.link-<32 lowercase hex>
        return name.StartsWith(prefix, StringComparison.Ordinal)
            && name.Length == prefix.Length + 32
            && !name.AsSpan(prefix.Length).ContainsAnyExcept("0123456789abcdef");
    }

    private static void ApplyOwner(string path, FileOwnership ownership, bool noFollow = false)
    {
        if (ownership.UserId is not null || ownership.GroupId is not null)
        {
            UnixFiles.ChangeOwner(path, ownership.UserId ?? -1, ownership.GroupId ?? -1, noFollow);
        }
    }

    private sealed record StagedEndpoint(string Folder, string Generation, string? PreviousGeneration, FileOwnership Ownership);
}
