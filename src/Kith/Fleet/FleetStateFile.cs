using System.Security.Cryptography.X509Certificates;
using Kith.Files;

namespace Kith.Fleet;

/// <summary>
/// An agent's last good fleet state on disk (<c>state.json</c>): replaced, atomically, only by a state the
/// verifier accepts; a refused state leaves the file byte-identical.
/// </summary>
public sealed class FleetStateFile
{
    private readonly X509Certificate2 root;
    private readonly TimeProvider time;
    private readonly string? domain;

    /// <exception cref="KithException">The file exists but holds no readable state.</exception>
    public FleetStateFile(string path, X509Certificate2 root, TimeProvider? time = null, string? domain = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(root);
        Path = path;
        this.root = root;
        this.time = time ?? TimeProvider.System;
        this.domain = domain;
        // A damaged copy is an error, not "no state": forgetting the last version would let a rollback in.
        Current = File.Exists(path)
            ? FleetStateVerifier.ReadTrusted(InputFile.ReadBytes(path, SignedFleetState.MaxBytes))?.State
                ?? throw new KithException($"{path}: the last good fleet state is damaged; remove it to accept any version again")
            : null;
    }

    public string Path { get; }

    /// <summary>The last good state, or null when none was accepted yet.</summary>
    public FleetState? Current { get; private set; }

    /// <summary>Verifies <paramref name="envelope"/>; when accepted, it becomes the file's content.</summary>
    public FleetStateVerdict TryAccept(ReadOnlySpan<byte> envelope)
    {
        var verdict = FleetStateVerifier.Verify(envelope, root, Current?.Version, time, domain);
        if (verdict is FleetStateVerdict.Accepted accepted)
        {
            AtomicFile.Write(Path, envelope, AtomicFile.PublicMode);
            Current = accepted.State;
        }

        return verdict;
    }
}
