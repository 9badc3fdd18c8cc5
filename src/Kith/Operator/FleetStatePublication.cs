using Kith.Files;
using Kith.Fleet;
using Kith.Inventory;
using Kith.Pki;
using Kith.Revocation;
using Kith.Storage;

namespace Kith.Operator;

/// <summary>What <see cref="FleetStatePublication.Write"/> did.</summary>
public sealed record FleetStateWritten(long Version, bool Changed);

/// <summary>
/// Writes the operator's signed <c>fleet-state.json</c>: a new version (previous + 1) only when the
/// content changed (everything but version and issued_at) or the publisher did; else the file stays.
/// </summary>
public static class FleetStatePublication
{
    /// <summary>
    /// A revocation request stays in the fleet state this long after the leaf validity: by then every certificate it
    /// could match has expired (a day's margin for clocks and certificates issued just before the request).
    /// </summary>
    public static readonly TimeSpan RevocationRequestMargin = TimeSpan.FromDays(1);

    /// <summary>
    /// Writes the state with the revocation requests still in force from the operator's store (older ones are
    /// removed from it): the one path for <c>kith apply</c> and <c>kith revoke</c>.
    /// </summary>
    public static async Task<FleetStateWritten> WriteAsync(FleetInventory inventory, StateFolder state, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(inventory);
        ArgumentNullException.ThrowIfNull(state);
        IReadOnlyList<RevocationRequest> requests;
        await using (var store = await SqliteRevocationRequestStore.OpenAsync(state.Database, cancellationToken))
        {
            requests = await store.PruneAndListAsync(now - inventory.Ca.LeafValidity - RevocationRequestMargin, cancellationToken);
        }

        return Write(inventory, state, now, [.. requests.Select(ToFleet)]);
    }

    /// <summary>A stored request as the fleet state carries it.</summary>
    public static FleetRevocationRequest ToFleet(RevocationRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return new FleetRevocationRequest(request.Machine, request.SerialHex, request.Name, RevocationReasonNames.NameOf(request.Reason), request.RequestedAt);
    }

    public static FleetStateWritten Write(FleetInventory inventory, StateFolder state, DateTimeOffset now, IReadOnlyList<FleetRevocationRequest>? revocations = null)
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
            var next = FleetStateBuilder.Build(inventory, state, (previous?.State.Version ?? 0) + 1, now, revocations);
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
