using System.Security.Cryptography.X509Certificates;
using Kith.Enrollment;
using Kith.Fleet;
using Kith.Pki;
using Kith.Reconcile;
using Kith.Revocation;
using Kith.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Kith.Agent;

/// <summary>
/// Runs <see cref="EndpointReconciler"/> for this machine (docs/agent.md, "Reconcile loop"): at start when a
/// fleet state is held, right after a newer one is accepted, and then every interval, or sooner when a retry
/// or a renewal is due. One loop, so never two passes at once.
/// </summary>
internal sealed partial class ReconcileLoop : BackgroundService
{
    /// <summary>The shortest pause between passes, so a due time in the past cannot spin the loop.</summary>
    private static readonly TimeSpan MinimumPause = TimeSpan.FromSeconds(1);

    private readonly SemaphoreSlim wake = new(0, 1);
    private readonly Dictionary<string, DateTimeOffset?> lastFailure = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> reloadErrors = new(StringComparer.Ordinal);
    private readonly AgentFolder folder;
    private readonly AgentIdentity identity;
    private readonly Func<FleetState?> currentState;
    private readonly AgentMetrics metrics;
    private readonly ILogger logger;
    private readonly TimeSpan interval;
    private readonly EndpointReconciler reconciler;
    private readonly ICertificateStore? certificateLog;
    private readonly TimeSpan? leafValidityOverride;
    private readonly PassBackoff backoff = new(TimeProvider.System);
    private readonly SqliteRevocationRequestStore carriedOut;
    private long? requestsAppliedFor;
    private string? revokedLoggedFor;
    private volatile string? hostCaRevoked;
    private string? ignored;
    private LeafPolicy? loggedPolicy;
    private volatile ReconcileSnapshot? lastPass;

    /// <param name="certificateLog">Where issued endpoint certificates are logged (the agent's kith.db), or null for nowhere.</param>
    public ReconcileLoop(AgentOptions options, AgentFolder folder, AgentIdentity identity, Func<FleetState?> currentState, AgentMetrics metrics, ILogger logger, ICertificateStore? certificateLog = null)
    {
        this.certificateLog = certificateLog;
        leafValidityOverride = options.LeafValidity;
        this.folder = folder;
        this.identity = identity;
        this.currentState = currentState;
        this.metrics = metrics;
        this.logger = logger;
        interval = options.ReconcileInterval;
        // The reconciler records its certificates in the issuance log before swapping them in (so the CRL and
        // `kith revoke` know them) and replaces those revoked, by the operator's requests or `kith revoke --dir`.
        carriedOut = SqliteRevocationRequestStore.OpenAsync(folder.Store).GetAwaiter().GetResult();
        reconciler = new EndpointReconciler(TimeProvider.System, new ReconcileOptions
        {
            LeafValidity = options.LeafValidity,
            RemoveDeparted = options.RemoveDeparted,
            PathRoot = options.FilesRoot == "/" ? null : options.FilesRoot,
            ManifestPath = options.EffectiveManifestPath,
        }, log: certificateLog);
    }

    /// <summary>What the last pass left (for /healthz), or null before the first; safe to read from any thread.</summary>
    public ReconcileSnapshot? LastPass => lastPass;

    /// <summary>Called after a pass that issued or renewed certificates, with those services (the proxy reloads for them).</summary>
    public Action<IReadOnlyCollection<string>>? CertificatesChanged { get; set; }

    /// <summary>Set when the held state's Root CRL lists this machine's Host CA (for /healthz); safe to read from any thread.</summary>
    public string? HostCaRevoked => hostCaRevoked;

    /// <summary>Asks for a pass now (a newer state was accepted); requests while one is pending merge.</summary>
    public void Wake()
    {
        try
        {
            wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // A pass is already requested.
        }
    }

    public override void Dispose()
    {
        carriedOut.DisposeAsync().AsTask().GetAwaiter().GetResult();
        wake.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        while (!stoppingToken.IsCancellationRequested)
        {
            var pause = interval;
            if (currentState() is { } state)
            {
                try
                {
                    pause = await PassAsync(state, stoppingToken);
                    if (backoff.Succeed() is > 0 and var streak)
                    {
                        LogPassRecovered(logger, state.Version, streak);
                    }
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // Whatever broke this pass (the Host CA key unreadable, a bug): logged, counted, tried again
                    // with backoff (not shortened by the interval: a short interval must not make a storm); the
                    // files on disk stay and the agent keeps serving its state. A newer state still wakes it.
                    metrics.CountReconcileFailure();
                    var retry = backoff.Fail();
                    if (retry.StartsStreak)
                    {
                        LogPassFailed(logger, state.Version, e.Message, retry.At);
                    }
                    else
                    {
                        LogPassStillFailing(logger, state.Version, retry.Failures, e.Message, retry.At);
                    }

                    lastPass = (lastPass ?? new ReconcileSnapshot(DateTimeOffset.UtcNow, state.Version, new Dictionary<string, EndpointSnapshot>())) with
                    {
                        FinishedAt = DateTimeOffset.UtcNow,
                        Error = e.Message,
                    };
                    pause = retry.Pause < MinimumPause ? MinimumPause : retry.Pause;
                }
            }

            try
            {
                await wake.WaitAsync(pause, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>One pass; returns how long to wait before the next.</summary>
    private async Task<TimeSpan> PassAsync(FleetState state, CancellationToken cancellationToken)
    {
        InstallNewerHostCa(state);
        CheckHostCaAgainstRootCrl(state);
        if (requestsAppliedFor != state.Version && certificateLog is not null)
        {
            await ApplyRevocationRequestsAsync(state, cancellationToken);
            requestsAppliedFor = state.Version;
        }

        ReconcileResult result;
        // The authority owns (and disposes) its certificate and key: a copy and a fresh load per pass.
        using (var authority = identity.CreateAuthority())
        {
            result = await reconciler.ReconcileAsync(state, identity.Machine, authority, cancellationToken);
        }

        if (reconciler.Policy != loggedPolicy)
        {
            loggedPolicy = reconciler.Policy;
            LogPolicy(logger, loggedPolicy.Validity, loggedPolicy.RenewAt.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture), state.Version, leafValidityOverride is null ? "the fleet state" : "the fleet state, lifetime overridden by leaf_validity_minutes in the agent config");
        }

        var now = DateTimeOffset.UtcNow;
        var failures = 0;
        var notAfter = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        var next = now + interval;
        var snapshots = new Dictionary<string, EndpointSnapshot>(StringComparer.Ordinal);
        foreach (var outcome in result.Endpoints)
        {
            Log(state.Version, outcome);
            var onDisk = outcome.Action == EndpointAction.Removed ? null : OnDisk(outcome);
            if (outcome.Action == EndpointAction.Failed)
            {
                // A failure waiting for its retry time is reported again with the same RetryAt: count it once.
                if (outcome.RetryAt is null || !lastFailure.TryGetValue(outcome.Service, out var seen) || seen != outcome.RetryAt)
                {
                    failures++;
                }

                lastFailure[outcome.Service] = outcome.RetryAt;
            }
            else
            {
                lastFailure.Remove(outcome.Service);
            }

            if (outcome.Reload is { Succeeded: false })
            {
                failures++;
            }

            if (outcome.Action != EndpointAction.Removed && outcome.NotAfter is { } expiry)
            {
                notAfter[outcome.Service] = expiry;
            }

            if (outcome.RetryAt is { } retry && retry < next)
            {
                next = retry;
            }

            if (outcome.Action is EndpointAction.Issued or EndpointAction.Renewed or EndpointAction.Kept && onDisk is { } current
                && reconciler.RenewalPoint(current.NotBefore, current.NotAfter, current.Serial) is var renewal && renewal < next)
            {
                next = renewal;
            }

            if (outcome.Action != EndpointAction.Removed)
            {
                // The first outcome per service is its endpoint's; a later one is a departed folder of the same service.
                snapshots.TryAdd(outcome.Service, Snapshot(outcome, onDisk));
            }
        }

        lastPass = new ReconcileSnapshot(DateTimeOffset.UtcNow, state.Version, snapshots);

        metrics.RecordPass(result.Count(EndpointAction.Issued), result.Count(EndpointAction.Renewed), failures, now, notAfter);
        LogPass(logger, state.Version, result.Count(EndpointAction.Issued), result.Count(EndpointAction.Renewed), result.Count(EndpointAction.Kept), result.Count(EndpointAction.Failed), result.Count(EndpointAction.Removed), next);
        var changed = result.Endpoints.Where(e => e.Action is EndpointAction.Issued or EndpointAction.Renewed).Select(e => e.Service).ToHashSet(StringComparer.Ordinal);
        if (changed.Count > 0)
        {
            CertificatesChanged?.Invoke(changed);
        }

        var pause = next - DateTimeOffset.UtcNow;
        return pause < MinimumPause ? MinimumPause : pause;
    }

    /// <summary>
    /// The operator revoked this machine's Host CA (<c>kith revoke --machine</c>) when the state's Root CRL lists it:
    /// the machine's certificates fail every client that checks CRLs. Logged as an error once per state version and
    /// Host CA, and reported by /healthz until a state without it (or a new Host CA) arrives.
    /// </summary>
    private void CheckHostCaAgainstRootCrl(FleetState state)
    {
        var serial = identity.HostCa.SerialNumber.ToLowerInvariant();
        IReadOnlySet<string> revoked;
        try
        {
            var block = state.RootCrl is null ? null : Pem.Decode(state.RootCrl, "fleet state root_crl").FirstOrDefault(b => b.Label == "X509 CRL");
            revoked = block is null ? new HashSet<string>() : CrlSerials.Read(block.Der);
        }
        catch (Exception e) when (e is KithException or System.Formats.Asn1.AsnContentException)
        {
            LogRootCrlUnreadable(logger, state.Version, e.Message);
            revoked = new HashSet<string>();
        }

        if (!revoked.Contains(serial))
        {
            hostCaRevoked = null;
            return;
        }

        hostCaRevoked = $"this machine's Host CA (serial {serial}) is in the Root CRL of state version {state.Version}: the operator revoked it; re-enroll the machine with a new key (remove host-ca.key, `kith agent init`, `kith machine sign` on the operator, `kith agent install`)";
        if (revokedLoggedFor != $"{state.Version}/{serial}")
        {
            revokedLoggedFor = $"{state.Version}/{serial}";
            LogHostCaRevoked(logger, serial, state.Version);
        }
    }

    /// <summary>
    /// Carries out the state's revocation requests for this machine (once per state version; each request once),
    /// before the pass, so the pass replaces what they revoked. One line per certificate revoked.
    /// </summary>
    private async Task ApplyRevocationRequestsAsync(FleetState state, CancellationToken cancellationToken)
    {
        var applied = await RevocationRequestApplier.ApplyAsync(state, identity.Machine, certificateLog!, carriedOut, cancellationToken);
        foreach (var revocation in applied.Revoked)
        {
            LogRevoked(logger, revocation.SerialHex, string.Join(", ", revocation.Names), RevocationReasonNames.NameOf(revocation.Reason), state.Version, revocation.Request.RequestedAt, revocation.KeyBlocked ? "; its key is blocked" : string.Empty);
        }

        foreach (var problem in applied.Ignored)
        {
            LogRevocationIgnored(logger, state.Version, problem);
        }
    }

    /// <summary>
    /// Installs this machine's Host CA certificate from the state when it is new (differs from host-ca.pem)
    /// and newer (a later notBefore): the same checks as `kith agent install` (this machine's key, CA with
    /// pathLen 0, chains to root-ca.pem). One that fails them is ignored with a warning, once per certificate.
    /// </summary>
    private void InstallNewerHostCa(FleetState state)
    {
        var entry = state.HostCas.FirstOrDefault(h => string.Equals(h.Machine, identity.Machine, StringComparison.Ordinal));
        if (entry is null)
        {
            return;
        }

        byte[] der;
        try
        {
            var blocks = Pem.Decode(entry.Certificate, "fleet state host_cas");
            der = blocks.FirstOrDefault(b => b.Label == "CERTIFICATE")?.Der ?? throw new KithException("fleet state host_cas: no CERTIFICATE block");
        }
        catch (KithException e)
        {
            WarnOnce(entry.Certificate, state.Version, e.Message);
            return;
        }

        var current = identity.HostCa;
        if (der.AsSpan().SequenceEqual(current.RawData) || string.Equals(ignored, entry.Certificate, StringComparison.Ordinal))
        {
            return;
        }

        X509Certificate2 installed;
        try
        {
            using (var candidate = X509CertificateLoader.LoadCertificate(der))
            {
                if (candidate.NotBefore.ToUniversalTime() <= current.NotBefore.ToUniversalTime())
                {
                    WarnOnce(entry.Certificate, state.Version, $"its notBefore {candidate.NotBefore.ToUniversalTime():O} is not later than the installed one's {current.NotBefore.ToUniversalTime():O}; kept the installed Host CA");
                    return;
                }
            }

            installed = folder.InstallFromState(der, $"fleet state version {state.Version} host_cas[{identity.Machine}]", DateTimeOffset.UtcNow);
        }
        catch (Exception e) when (e is KithException or System.Security.Cryptography.CryptographicException)
        {
            WarnOnce(entry.Certificate, state.Version, e.Message);
            return;
        }

        identity.ReplaceHostCa(installed);
        metrics.CountHostCaInstalled();
        LogHostCaInstalled(logger, folder.HostCaCertificate, installed.SerialNumber.ToLowerInvariant(), installed.NotBefore.ToUniversalTime(), installed.NotAfter.ToUniversalTime(), state.Version);
    }

    private void WarnOnce(string pem, long version, string reason)
    {
        if (!string.Equals(ignored, pem, StringComparison.Ordinal))
        {
            ignored = pem;
            LogHostCaIgnored(logger, version, reason);
        }
    }

    /// <summary>
    /// The endpoint for /healthz: its certificate on disk and, when the pass failed it, why. A failed reload
    /// is remembered until a reload succeeds, since the passes that wait for its retry time do not repeat it.
    /// </summary>
    private EndpointSnapshot Snapshot(EndpointOutcome outcome, (DateTimeOffset NotBefore, DateTimeOffset NotAfter, string Serial)? onDisk)
    {
        if (outcome.Reload is { Succeeded: false } reload)
        {
            reloadErrors[outcome.Service] = $"reload failed: {reload.Error ?? "no reason given"}";
        }
        else if (outcome.Reload is not null || outcome.RetryAt is null)
        {
            reloadErrors.Remove(outcome.Service);
        }

        var failure = outcome.Action == EndpointAction.Failed
            ? outcome.Reason ?? "failed"
            : reloadErrors.GetValueOrDefault(outcome.Service) ?? (outcome.RetryAt is null ? null : "reload pending");
        return new EndpointSnapshot(outcome.Folder, onDisk?.NotBefore, onDisk?.NotAfter, onDisk?.Serial, failure, failure is null ? null : outcome.RetryAt);
    }

    /// <summary>The certificate in the endpoint's folder after the pass, as the reconciler saw or wrote it; null when none is readable.</summary>
    private static (DateTimeOffset NotBefore, DateTimeOffset NotAfter, string Serial)? OnDisk(EndpointOutcome outcome) =>
        outcome is { Serial: { } serial, NotBefore: { } notBefore, NotAfter: { } notAfter } ? (notBefore, notAfter, serial) : null;

    private void Log(long version, EndpointOutcome outcome)
    {
        var reload = outcome.Reload switch
        {
            null => "none",
            { Succeeded: true } => "ok",
            { TimedOut: true } => "timed out",
            { } failed => $"failed ({failed.Error})",
        };
        var action = outcome.Action.ToString().ToLowerInvariant();
        switch (outcome.Action)
        {
            case EndpointAction.Kept:
                LogKept(logger, outcome.Service, outcome.Serial, outcome.NotAfter);
                break;
            case EndpointAction.Failed:
                LogFailed(logger, outcome.Service, outcome.Folder, outcome.Reason, outcome.RetryAt, version);
                break;
            default:
                LogEndpoint(logger, outcome.Service, action, outcome.Folder, outcome.Reason, outcome.Serial, outcome.NotAfter, reload, version);
                break;
        }

        if (outcome.Action != EndpointAction.Failed && outcome.Reload is { Succeeded: false })
        {
            LogReloadFailed(logger, outcome.Service, reload, outcome.RetryAt);
        }

        foreach (var warning in outcome.Warnings ?? [])
        {
            LogWarning(logger, outcome.Service, warning);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "endpoint {Service}: {Action} in {Folder} ({Reason}); serial {Serial}, not after {NotAfter:O}; reload {Reload}; state version {Version}")]
    private static partial void LogEndpoint(ILogger logger, string service, string action, string folder, string? reason, string? serial, DateTimeOffset? notAfter, string reload, long version);

    [LoggerMessage(Level = LogLevel.Debug, Message = "endpoint {Service}: kept; serial {Serial}, not after {NotAfter:O}")]
    private static partial void LogKept(ILogger logger, string service, string? serial, DateTimeOffset? notAfter);

    [LoggerMessage(Level = LogLevel.Warning, Message = "endpoint {Service}: failed in {Folder}: {Reason}; retry at {RetryAt:O}; state version {Version}")]
    private static partial void LogFailed(ILogger logger, string service, string folder, string? reason, DateTimeOffset? retryAt, long version);

    [LoggerMessage(Level = LogLevel.Warning, Message = "endpoint {Service}: reload {Reload}; retry at {RetryAt:O}")]
    private static partial void LogReloadFailed(ILogger logger, string service, string reload, DateTimeOffset? retryAt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "endpoint {Service}: {Warning}")]
    private static partial void LogWarning(ILogger logger, string service, string warning);

    [LoggerMessage(Level = LogLevel.Information, Message = "host CA: installed a newer certificate from state version {Version} as {Path}; serial {Serial}, not before {NotBefore:O}, not after {NotAfter:O}")]
    private static partial void LogHostCaInstalled(ILogger logger, string path, string serial, DateTime notBefore, DateTime notAfter, long version);

    [LoggerMessage(Level = LogLevel.Warning, Message = "host CA: ignored this machine's certificate in state version {Version}: {Reason}")]
    private static partial void LogHostCaIgnored(ILogger logger, long version, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "reconcile pass for state version {Version}: {Issued} issued, {Renewed} renewed, {Kept} kept, {Failed} failed, {Removed} removed; next pass by {Next:O}")]
    private static partial void LogPass(ILogger logger, long version, int issued, int renewed, int kept, int failed, int removed, DateTimeOffset next);

    [LoggerMessage(Level = LogLevel.Error, Message = "reconcile pass for state version {Version} failed: {Error}; the files on disk stay; retry at {RetryAt:O}")]
    private static partial void LogPassFailed(ILogger logger, long version, string error, DateTimeOffset retryAt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "reconcile pass for state version {Version} still failing ({Failures} in a row): {Error}; retry at {RetryAt:O}")]
    private static partial void LogPassStillFailing(ILogger logger, long version, int failures, string error, DateTimeOffset retryAt);

    [LoggerMessage(Level = LogLevel.Information, Message = "endpoint certificates: lifetime {Lifetime}, renewed at {RenewAt} of it (state version {Version}; from {Source})")]
    private static partial void LogPolicy(ILogger logger, TimeSpan lifetime, string renewAt, long version, string source);

    [LoggerMessage(Level = LogLevel.Information, Message = "revoked certificate {Serial} ({Names}), reason {Reason}, as requested by the operator at {RequestedAt:O} (state version {Version}){KeyBlocked}")]
    private static partial void LogRevoked(ILogger logger, string serial, string names, string reason, long version, DateTimeOffset requestedAt, string keyBlocked);

    [LoggerMessage(Level = LogLevel.Error, Message = "host CA: this machine's Host CA (serial {Serial}) is revoked: the Root CRL of state version {Version} lists it; every certificate it issues fails CRL checks; re-enroll the machine with a new key")]
    private static partial void LogHostCaRevoked(ILogger logger, string serial, long version);

    [LoggerMessage(Level = LogLevel.Warning, Message = "state version {Version}: its root_crl could not be read: {Problem}")]
    private static partial void LogRootCrlUnreadable(ILogger logger, long version, string problem);

    [LoggerMessage(Level = LogLevel.Warning, Message = "state version {Version}: {Problem}")]
    private static partial void LogRevocationIgnored(ILogger logger, long version, string problem);

    [LoggerMessage(Level = LogLevel.Information, Message = "reconcile pass for state version {Version} succeeded after {Failures} failed passes")]
    private static partial void LogPassRecovered(ILogger logger, long version, int failures);
}
