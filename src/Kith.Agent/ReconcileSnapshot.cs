namespace Kith.Agent;

/// <summary>
/// What the last reconcile pass left behind, for /healthz. Immutable: the loop builds a new one after every
/// pass and swaps the reference, so a reader never sees half a pass.
/// </summary>
/// <param name="FinishedAt">When the pass ended.</param>
/// <param name="Endpoints">By service: only endpoints of the state the pass ran on.</param>
/// <param name="Error">Why the pass failed as a whole (the Host CA key unreadable), or null.</param>
internal sealed record ReconcileSnapshot(
    DateTimeOffset FinishedAt,
    long StateVersion,
    IReadOnlyDictionary<string, EndpointSnapshot> Endpoints,
    string? Error = null);

/// <summary>One endpoint after a pass: the certificate on disk (null when none is readable) and any failure.</summary>
/// <param name="Failure">Why the pass failed it (issuance, write, or its reload), or null.</param>
/// <param name="RetryAt">When that failure is tried again.</param>
internal sealed record EndpointSnapshot(
    string Folder,
    DateTimeOffset? NotBefore,
    DateTimeOffset? NotAfter,
    string? Serial,
    string? Failure = null,
    DateTimeOffset? RetryAt = null);
