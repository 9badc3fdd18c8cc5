namespace Kith.Reconcile;

/// <summary>Settings of the reconcile loop (docs/reconcile.md). The defaults are what the agent runs with.</summary>
public sealed record ReconcileOptions
{
    /// <summary>
    /// Lifetime of a leaf, clamped to the Host CA's end; null (the default) means the fleet state's
    /// leaf_validity_seconds (7 days when the state has none). Set, it overrides the state.
    /// </summary>
    public TimeSpan? LeafValidity { get; init; }

    /// <summary>
    /// A certificate is renewed at notBefore + this fraction of its lifetime, minus its jitter; null (the
    /// default) means the fleet state's renew_at (2/3 when the state has none). Set, it overrides the state.
    /// </summary>
    public double? RenewAt { get; init; }

    /// <summary>The renewal point moves earlier by up to this fraction of the lifetime, per certificate.</summary>
    public double RenewalJitter { get; init; } = 0.05;

    /// <summary>A notBefore this far in the future (another machine's clock) still counts as current.</summary>
    public TimeSpan ClockSkewTolerance { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Remove the folder of an endpoint that left the state (else keep its files).</summary>
    public bool RemoveDeparted { get; init; } = true;

    /// <summary>A reload command still running after this is killed, with its process tree.</summary>
    public TimeSpan ReloadTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>First delay before retrying a failed issuance or reload; doubles with each failure.</summary>
    public TimeSpan RetryInitial { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The longest delay between retries.</summary>
    public TimeSpan RetryMax { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Prefix put before every path of the state (as the operator's out/&lt;machine&gt;/ does), or null to
    /// write at the paths themselves. Tests and staging roots use it.
    /// </summary>
    public string? PathRoot { get; init; }

    /// <summary>
    /// The file remembering which folders this loop wrote (so it can remove those whose endpoint left the
    /// state, even after a restart), or null to remember them in memory only.
    /// </summary>
    public string? ManifestPath { get; init; }

    internal string Map(string path) =>
        PathRoot is null ? path : Path.Combine(PathRoot, path.TrimStart('/'));
}
