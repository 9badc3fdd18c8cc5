using System.IO.Enumeration;

namespace Kith.Files;

/// <summary>
/// Deletes what a crash between <see cref="EndpointFileBatch.Stage"/> and the symlink swap leaves beside
/// endpoint folders: generation folders and temporary links that the endpoint's symlink does not point to.
/// Only names of exactly the shape <see cref="EndpointFileBatch"/> makes are touched. One sweeper serves one
/// reconcile pass: each parent folder is listed once, on the first sweep below it, and the list is kept
/// per endpoint name, so a pass over N endpoints sharing a parent costs one listing, not N.
/// </summary>
internal sealed class GenerationSweeper
{
    private readonly Dictionary<string, Dictionary<string, List<string>>> leftoversByParent = new(StringComparer.Ordinal);

    /// <summary>How many parent folders this sweeper has listed.</summary>
    public int Listings { get; private set; }

    /// <summary>
    /// Deletes the leftovers of <paramref name="folder"/> (an endpoint folder: absent, or a symlink to its
    /// current generation, which is kept). Entries made after the parent was listed are not seen: they are
    /// this pass's own.
    /// </summary>
    public void Sweep(string folder)
    {
        folder = Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder));
        var parent = Path.GetDirectoryName(folder)!;
        if (!leftoversByParent.TryGetValue(parent, out var leftovers))
        {
            leftovers = List(parent);
            leftoversByParent[parent] = leftovers;
            Listings++;
        }

        if (!leftovers.Remove(Path.GetFileName(folder), out var names))
        {
            return;
        }

        var current = new FileInfo(folder).LinkTarget;
        foreach (var name in names.Where(n => n != current))
        {
            Delete(Path.Combine(parent, name));
        }
    }

    /// <summary>The leftover-shaped names in <paramref name="parent"/>, by the endpoint folder name they belong to.</summary>
    private static Dictionary<string, List<string>> List(string parent)
    {
        var found = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        if (!Directory.Exists(parent))
        {
            return found;
        }

        // The predicate and the transform read only the name: no other property of an entry is asked for.
        var entries = new FileSystemEnumerable<string>(parent, (ref FileSystemEntry entry) => entry.FileName.ToString(), new EnumerationOptions { AttributesToSkip = 0 })
        {
            ShouldIncludePredicate = (ref FileSystemEntry entry) => entry.FileName.StartsWith('.'),
        };
        foreach (var name in entries)
        {
            if (OwnerOf(name) is { } owner)
            {
                if (!found.TryGetValue(owner, out var names))
                {
                    names = [];
                    found[owner] = names;
                }

                names.Add(name);
            }
        }

        return found;
    }

    /// <summary>The endpoint folder name that <paramref name="name"/> is a generation or temporary link of, or null.</summary>
    internal static string? OwnerOf(string name)
    {
        var lastDot = name.LastIndexOf('.');
        if (!name.StartsWith('.') || lastDot <= 1)
        {
            return null;
        }

        var owner = name[1..lastDot];
        return EndpointFileBatch.IsGenerationOf(owner, name) || EndpointFileBatch.IsTemporaryLinkOf(owner, name) ? owner : null;
    }

    private static void Delete(string path)
    {
        var info = new FileInfo(path);
        if (info.LinkTarget is not null || info.Exists)
        {
            info.Delete();
        }
        else if (Directory.Exists(path))
        {
            Directory.Delete(path, recursive: true);
        }
    }
}
