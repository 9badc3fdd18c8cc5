using Kith.Files;
using Kith.Fleet;
using Kith.Inventory;
using Kith.Pki;

namespace Kith.Operator;

/// <summary>What <see cref="FleetStatePublication.Write"/> did.</summary>
public sealed record FleetStateWritten(long Version, bool Changed);

/// <summary>
/// Writes the operator's signed <c>fleet-state.json</c>: a new version (previous + 1) only when the
/// content changed (everything but version and issued_at) or the publisher did; else the file stays.
/// </summary>
public static class FleetStatePublication
{
    public static FleetStateWritten Write(FleetInventory inventory, StateFolder state, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(inventory);
        ArgumentNullException.ThrowIfNull(state);
        var loaded = PublisherFiles.TryLoad(state)
            ?? throw new KithException($"no fleet-state publisher key in {state.PublisherFolder}: run `kith init` (it asks for the Root passphrase once)");
        var (certificate, key) = loaded;
        using (certificate)
        using (key)
        {
            var publisherPem = Pem.Encode("CERTIFICATE", certificate.RawData);
            var previous = ReadPrevious(state);
            var next = FleetStateBuilder.Build(inventory, state, (previous?.State.Version ?? 0) + 1, now);
            if (previous is { } old && old.Publisher == publisherPem && SameContent(old.State, next))
            {
                return new FleetStateWritten(old.State.Version, Changed: false);
            }

            var envelope = FleetStateSigner.Sign(next, key, certificate);
            AtomicFile.Write(state.FleetState, FleetStateSigner.Encode(envelope), AtomicFile.PublicMode);
            return new FleetStateWritten(next.Version, Changed: true);
        }
    }

    /// <summary>The version of the last fleet state apply wrote (<c>fleet-state.json</c>), or null when there is none.</summary>
    /// <exception cref="KithException">The file is damaged.</exception>
    public static long? LatestVersion(StateFolder state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return ReadPrevious(state)?.State.Version;
    }

    /// <summary>Equal but for version and issued_at.</summary>
    public static bool SameContent(FleetState a, FleetState b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        static byte[] Normalized(FleetState s) => FleetStateSigner.Serialize(s with { Version = 0, IssuedAt = DateTimeOffset.UnixEpoch });
        return Normalized(a).AsSpan().SequenceEqual(Normalized(b));
    }

    private static (FleetState State, string Publisher)? ReadPrevious(StateFolder state)
    {
        if (!File.Exists(state.FleetState))
        {
            return null;
        }

        var bytes = InputFile.ReadBytes(state.FleetState, SignedFleetState.MaxBytes);
        return FleetStateVerifier.ReadTrusted(bytes)
            ?? throw new KithException($"{state.FleetState}: is damaged; restore it from a machine's copy or remove it (the version then restarts at 1, which agents refuse)");
    }
}
