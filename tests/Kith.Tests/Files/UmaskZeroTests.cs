using System.Runtime.InteropServices;
using Kith.Files;

namespace Kith.Tests.Files;

/// <summary>The umask is process-wide: nothing else may run while it is 0.</summary>
[CollectionDefinition(nameof(ProcessUmask), DisableParallelization = true)]
public sealed class ProcessUmask;

/// <summary>
/// With a umask of 0 (nothing narrows the create mode), key files and their temporary files are still never
/// seen with more than their mode, not even for an instant: a watcher stats every entry in a tight loop
/// while 200 keys are written both ways (AtomicFile and EndpointFileBatch).
/// </summary>
[Collection(nameof(ProcessUmask))]
public sealed partial class UmaskZeroTests : IDisposable
{
    private const UnixFileMode GroupOrOther = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    private readonly string root = Directory.CreateTempSubdirectory("kith-umask-").FullName;

    [Fact]
    public void Under_umask_0_no_key_or_temporary_file_is_ever_seen_with_group_or_other_bits()
    {
        var violations = new List<string>();
        var scans = 0;
        var secretsSeen = 0;
        using var stop = new CancellationTokenSource();
        var watcher = new Thread(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                foreach (var (path, mode) in Entries(root))
                {
                    var name = Path.GetFileName(path);
                    var secret = name is "key.pem" or "full.pem" || name.StartsWith(".key.pem.", StringComparison.Ordinal);
                    if (!secret)
                    {
                        continue;
                    }

                    secretsSeen++;
                    if ((mode & GroupOrOther) != 0)
                    {
                        lock (violations)
                        {
                            violations.Add($"{path}: {mode}");
                        }
                    }
                }

                scans++;
            }
        });

        var previous = SetUmask(0);
        try
        {
            watcher.Start();
            var extra = Path.Combine(root, "copies", "key.pem");
            for (var i = 0; i < 200; i++)
            {
                AtomicFile.WriteText(extra, $"-----BEGIN PRIVATE KEY----- {i}\n", AtomicFile.PrivateMode, durable: false);
                if (i % 4 == 0)
                {
                    var batch = new EndpointFileBatch();
                    batch.Stage(Path.Combine(root, "endpoints", "web"), new EndpointFiles("CERT", $"KEY {i}", "CHAIN"), FileOwnership.Default);
                    batch.Commit();
                }
            }
        }
        finally
        {
            stop.Cancel();
            watcher.Join();
            SetUmask(previous);
        }

        Assert.True(violations.Count == 0, string.Join("\n", violations.Distinct().Take(10)));
        Assert.True(scans > 10 && secretsSeen > 10, $"the watcher saw too little: {scans} scans, {secretsSeen} key files");
        Assert.Equal(AtomicFile.PrivateMode, File.GetUnixFileMode(Path.Combine(root, "copies", "key.pem")));
        Assert.Equal(AtomicFile.PrivateMode, File.GetUnixFileMode(Path.Combine(root, "endpoints", "web", "key.pem")));
        Assert.Equal(AtomicFile.PublicMode, File.GetUnixFileMode(Path.Combine(root, "endpoints", "web", "cert.pem")));
    }

    public void Dispose() => Directory.Delete(root, recursive: true);

    /// <summary>Every file under <paramref name="folder"/> (generation folders too) with its mode; entries that vanish mid-scan are skipped.</summary>
    private static List<(string Path, UnixFileMode Mode)> Entries(string folder)
    {
        var found = new List<(string, UnixFileMode)>();
        var pending = new Stack<string>([folder]);
        while (pending.TryPop(out var current))
        {
            try
            {
                foreach (var entry in new DirectoryInfo(current).EnumerateFileSystemInfos())
                {
                    if (entry.LinkTarget is not null)
                    {
                        continue;
                    }

                    if (entry is DirectoryInfo)
                    {
                        pending.Push(entry.FullName);
                    }
                    else if (entry.UnixFileMode is var mode && mode != (UnixFileMode)(-1))
                    {
                        // -1: gone between the listing and the stat (the previous generation was deleted).
                        found.Add((entry.FullName, mode));
                    }
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Swapped or removed while we looked.
            }
        }

        return found;
    }

    private static UnixFileMode SetUmask(UnixFileMode mask) => (UnixFileMode)Umask((int)mask);

    [LibraryImport("libc", EntryPoint = "umask")]
    private static partial int Umask(int mask);
}
