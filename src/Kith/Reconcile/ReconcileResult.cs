namespace Kith.Reconcile;

/// <summary>What a pass did to one endpoint.</summary>
public enum EndpointAction
{
    /// <summary>No certificate was on disk (or it did not match its key): a first one was issued.</summary>
    Issued,

    /// <summary>The certificate was due, expired, for other names or from another issuer: replaced.</summary>
    Renewed,

    /// <summary>The files on disk are current: nothing written.</summary>
    Kept,

    /// <summary>Issuing or writing failed (or waits for its retry time); the previous files are untouched.</summary>
    Failed,

    /// <summary>The endpoint left the state: its folder was removed (or kept, per the options).</summary>
    Removed,
}

/// <summary>How a reload command ended.</summary>
/// <param name="ExitCode">The exit code, or null when it did not start or was killed.</param>
/// <param name="Error">Why it failed (stderr tail, "timed out after 30s", "not found"), or null when it succeeded.</param>
public sealed record ReloadOutcome(bool Succeeded, int? ExitCode, bool TimedOut, string? Error);

/// <summary>One endpoint's result of a pass.</summary>
/// <param name="Folder">Its folder as written (after <see cref="ReconcileOptions.PathRoot"/>).</param>
/// <param name="Reason">Why it was issued or renewed, or why it failed.</param>
/// <param name="Reload">The reload run during this pass, or null when none ran.</param>
/// <param name="RetryAt">When a failed issuance or reload is tried again, or null.</param>
/// <param name="Serial">The serial of the certificate in the folder after the pass (the new one, or the one kept), or null when none is readable.</param>
/// <param name="NotAfter">Its notAfter.</param>
/// <param name="NotBefore">Its notBefore.</param>
public sealed record EndpointOutcome(
    string Service,
    string Folder,
    EndpointAction Action,
    string? Reason = null,
    string? Serial = null,
    DateTimeOffset? NotAfter = null,
    ReloadOutcome? Reload = null,
    DateTimeOffset? RetryAt = null,
    IReadOnlyList<string>? Warnings = null,
    DateTimeOffset? NotBefore = null);

/// <summary>The outcome of one reconcile pass, per endpoint.</summary>
public sealed record ReconcileResult(IReadOnlyList<EndpointOutcome> Endpoints)
{
    public EndpointOutcome this[string service] => Endpoints.Single(e => e.Service == service);

    public int Count(EndpointAction action) => Endpoints.Count(e => e.Action == action);

    /// <summary>True when this pass wrote or removed nothing and ran no reload.</summary>
    public bool Quiet => Endpoints.All(e => e.Action is EndpointAction.Kept or EndpointAction.Failed && e.Reload is null);
}
