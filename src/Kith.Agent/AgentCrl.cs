using System.Security.Cryptography.X509Certificates;
using Kith.Pki;
using Kith.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Kith.Agent;

/// <summary>
/// The CRL of this machine's Host CA (docs/revocation.md, "CRLs"): signed at start, again within
/// <see cref="PollInterval"/> of any change the store's revision shows (a revocation by <c>kith revoke --dir</c>
/// in another process, or by ACME here), when the Host CA is replaced, and when only <see cref="ResignLeft"/> of
/// its <see cref="Validity"/> is left. The current CRL stays in memory for the HTTP listener.
/// </summary>
public sealed partial class AgentCrl : BackgroundService
{
    /// <summary>nextUpdate − thisUpdate.</summary>
    public static readonly TimeSpan Validity = TimeSpan.FromHours(48);

    /// <summary>A CRL is signed again when this much of its validity is left.</summary>
    public static readonly TimeSpan ResignLeft = TimeSpan.FromHours(24);

    /// <summary>How often the store's revision is read (one indexed row).</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(2);

    private readonly AgentIdentity identity;
    private readonly ICertificateStore store;
    private readonly TimeProvider time;
    private ILogger logger;
    private volatile SignedCrl? current;
    private long signedRevision = long.MinValue;
    private X509Certificate2? signedUnder;
    private IReadOnlyList<RevokedCertificate> signedEntries = [];

    public AgentCrl(AgentIdentity identity, ICertificateStore store, TimeProvider time, ILogger logger)
    {
        this.identity = identity;
        this.store = store;
        this.time = time;
        this.logger = logger;
    }

    /// <summary>Where signing is logged (the host's logger exists only after the service is built); returns this.</summary>
    public AgentCrl UseLogger(ILogger value)
    {
        logger = value ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
        return this;
    }

    /// <summary>The CRL now served; null only before <see cref="SignAsync"/> first succeeded.</summary>
    public SignedCrl? Current => current;

    /// <summary>
    /// Called after a CRL was signed because what it lists changed (a certificate revoked or expired off the list,
    /// a new Host CA): the hook for caches of revocation answers (the OCSP responder's).
    /// </summary>
    public Action? OnChange { get; set; }

    /// <summary>Signs the first CRL; the agent calls this before it starts listening.</summary>
    public Task SignAsync(CancellationToken cancellationToken) => CheckAsync(cancellationToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(PollInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    await CheckAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is KithException or IOException or UnauthorizedAccessException
                    or System.Security.Cryptography.CryptographicException or Microsoft.Data.Sqlite.SqliteException)
                {
                    // The CRL served so far stays valid until its nextUpdate; the next tick tries again.
                    LogSignFailed(logger, e.Message, current?.NextUpdate);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Signs a new CRL when the store changed, the Host CA changed, or the current one is due.</summary>
    private async Task CheckAsync(CancellationToken cancellationToken)
    {
        // Read before listing: a change landing in between is seen by the next check.
        long revision = await store.RevisionAsync(cancellationToken).ConfigureAwait(false);
        var hostCa = identity.HostCa;
        var now = time.GetUtcNow();
        bool changed = revision != signedRevision || !ReferenceEquals(hostCa, signedUnder);
        if (!changed && current is { } served && now < served.ResignAt)
        {
            return;
        }

        var revoked = await store.ListRevokedAsync(identity.Machine, now, cancellationToken).ConfigureAwait(false);
        if (current is { } unchanged && now < unchanged.ResignAt && ReferenceEquals(hostCa, signedUnder) && revoked.SequenceEqual(signedEntries))
        {
            // The revision also moves for every certificate issued; the list a CRL carries did not change.
            signedRevision = revision;
            return;
        }

        long number = await store.NextCrlNumberAsync(identity.Machine, cancellationToken).ConfigureAwait(false);
        byte[] der;
        using (var authority = identity.CreateAuthority(hostCa))
        {
            der = RevocationListSigner.Sign(
                authority,
                revoked.Select(r => new CrlEntry(r.SerialHex, r.RevokedAt, (int)r.Reason)),
                number,
                now,
                now + Validity);
        }

        var thisUpdate = DateTimeOffset.FromUnixTimeSeconds(now.ToUnixTimeSeconds());
        var first = current is null;
        current = new SignedCrl(der, number, thisUpdate, thisUpdate + Validity, thisUpdate + Validity - ResignLeft, $"\"{identity.Machine}-{number}\"");
        signedRevision = revision;
        signedUnder = hostCa;
        signedEntries = revoked;
        LogSigned(logger, identity.Machine, number, revoked.Count, thisUpdate + Validity);
        if (changed && !first)
        {
            OnChange?.Invoke();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "crl: signed {Machine}.crl number {Number} with {Entries} revoked certificates; next update {NextUpdate:O}")]
    private static partial void LogSigned(ILogger logger, string machine, long number, int entries, DateTimeOffset nextUpdate);

    [LoggerMessage(Level = LogLevel.Warning, Message = "crl: signing failed ({Error}); still serving the previous CRL (next update {NextUpdate:O}); retrying in 2 s")]
    private static partial void LogSignFailed(ILogger logger, string error, DateTimeOffset? nextUpdate);
}
