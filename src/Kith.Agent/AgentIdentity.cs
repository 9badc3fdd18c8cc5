using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Kith.Enrollment;
using Kith.Fleet;
using Kith.Operator;
using Kith.Pki;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kith.Agent;

/// <summary>
/// Who this agent is: its machine, the fleet domain, its Host CA, the Root it trusts, and the short-lived
/// server certificate it issues itself from its Host CA for its own HTTPS endpoint. That certificate is
/// renewed while the agent runs: at 2/3 of its lifetime, and at once when a newer Host CA certificate is
/// installed (so the chain sent is always the current Host CA). Kestrel asks for it per handshake
/// (<see cref="ServerCertificateContext"/>); the check is one comparison unless a renewal is due.
/// </summary>
public sealed partial class AgentIdentity : IDisposable
{
    /// <summary>The server certificate is renewed at this fraction of its lifetime.</summary>
    public const double RenewAt = 2.0 / 3.0;

    /// <summary>The least time between two issuances (also the retry after a failed one), so a Host CA near its end cannot make every handshake issue.</summary>
    public static readonly TimeSpan MinimumRenewalSpacing = TimeSpan.FromMinutes(1);

    private readonly Lock gate = new();
    private readonly List<X509Certificate2> replaced = [];
    private readonly AgentFolder folder;
    private readonly IReadOnlyList<IPEndPoint> listen;
    private readonly TimeSpan lifetime;
    private readonly TimeProvider time;
    private readonly bool revocationUrls;
    private volatile X509Certificate2 hostCa;
    private volatile Served served;
    private Served? previous;
    private DateTimeOffset notBeforeNextAttempt;
    private ILogger logger = NullLogger.Instance;

    private AgentIdentity(AgentFolder folder, IReadOnlyList<IPEndPoint> listen, TimeSpan lifetime, TimeProvider time, string machine, string domain, X509Certificate2 hostCa, X509Certificate2 root, bool revocationUrls)
    {
        this.folder = folder;
        this.revocationUrls = revocationUrls;
        this.listen = listen;
        this.lifetime = lifetime;
        this.time = time;
        Machine = machine;
        Domain = domain;
        this.hostCa = hostCa;
        Root = root;
        served = Issue(hostCa);
    }

    public string Machine { get; }

    public string Domain { get; }

    /// <summary>The CRL distribution point leaves of this Host CA carry, or null when the agent serves no CRLs.</summary>
    public string? CrlUrl => revocationUrls ? FleetPolicy.CrlUrl(Domain, Machine) : null;

    /// <summary>The OCSP responder leaves of this Host CA carry, or null when the agent serves no revocation.</summary>
    public string? OcspUrl => revocationUrls ? FleetPolicy.OcspUrl(Domain, Machine) : null;

    /// <summary>
    /// A signing authority for this Host CA (a copy of the certificate, the key freshly loaded) whose leaves carry
    /// the revocation URLs; the caller disposes it.
    /// </summary>
    public CertificateAuthority CreateAuthority() => CreateAuthority(hostCa);

    /// <summary>An authority over <paramref name="issuer"/> (a Host CA certificate this agent read earlier) and the Host CA key.</summary>
    public CertificateAuthority CreateAuthority(X509Certificate2 issuer) => new(
        Machine,
        X509CertificateLoader.LoadCertificate(issuer.RawData),
        folder.LoadHostCaKey(),
        [Root.PublicKey.ExportSubjectPublicKeyInfo()],
        CrlUrl,
        OcspUrl);

    /// <summary>The Host CA certificate now installed (replaced when the agent installs a newer one).</summary>
    public X509Certificate2 HostCa => hostCa;

    public X509Certificate2 Root { get; }

    /// <summary>The server certificate with its private key now served (renewed first when due).</summary>
    public X509Certificate2 ServerCertificate => Current().Certificate;

    /// <summary>The server certificate and its chain (the current Host CA) for a TLS handshake (renewed first when due).</summary>
    public SslStreamCertificateContext ServerCertificateContext => Current().Context;

    /// <summary>When the server certificate now served is due for renewal.</summary>
    public DateTimeOffset RenewalPoint => served.RenewAt;

    /// <summary>Where renewals are logged (the host's logger exists only after the identity is loaded).</summary>
    public void UseLogger(ILogger value) => logger = value ?? NullLogger.Instance;

    /// <summary>
    /// Makes <paramref name="installed"/> the current Host CA and issues a new server certificate under it at
    /// once (a failure is logged; the next handshake tries again). The previous Host CA stays alive until
    /// disposal: a handshake in flight may still send it.
    /// </summary>
    public void ReplaceHostCa(X509Certificate2 installed)
    {
        ArgumentNullException.ThrowIfNull(installed);
        lock (gate)
        {
            replaced.Add(hostCa);
            hostCa = installed;
            notBeforeNextAttempt = DateTimeOffset.MinValue;
        }

        _ = Current();
    }

    /// <summary>
    /// Loads the Host CA and the Root from the agent folder and issues the server certificate: DNS name
    /// <c>machine.domain</c>, plus the listen addresses as IP SANs where the Host CA's constraints permit them.
    /// </summary>
    /// <param name="time">The clock for issuing and renewing; null means the system clock.</param>
    /// <param name="revocationUrls">Whether the leaves this Host CA signs carry the CRL and OCSP URLs (the agent serves them).</param>
    /// <exception cref="KithException">The Host CA or the Root is not installed, or they do not fit.</exception>
    public static AgentIdentity Load(AgentFolder folder, string? machine, IEnumerable<IPEndPoint> listen, TimeSpan lifetime, TimeProvider? time = null, bool revocationUrls = false)
    {
        ArgumentNullException.ThrowIfNull(folder);
        ArgumentNullException.ThrowIfNull(listen);
        time ??= TimeProvider.System;
        if (!File.Exists(folder.HostCaKey))
        {
            throw new KithException($"{folder.HostCaKey}: no Host CA key; run `kith agent init --machine NAME` first");
        }

        if (!File.Exists(folder.HostCaCertificate))
        {
            throw new KithException($"{folder.HostCaCertificate}: the Host CA is not installed yet; run `kith agent install --cert host-ca.pem --root root-ca.pem`");
        }

        if (!File.Exists(folder.RootCertificate))
        {
            throw new KithException($"{folder.RootCertificate}: no Root certificate to verify fleet states with; run `kith agent install --cert host-ca.pem --root root-ca.pem`");
        }

        var hostCa = X509CertificateLoader.LoadCertificate(Pem.ReadCertificates(folder.HostCaCertificate)[0]);
        var root = X509CertificateLoader.LoadCertificate(Pem.ReadCertificates(folder.RootCertificate)[0]);
        try
        {
            var domain = FleetStateVerifier.DomainOf(hostCa) ?? FleetStateVerifier.DomainOf(root)
                ?? throw new KithException($"{folder.HostCaCertificate}: its subject names no fleet domain (O=kith <domain>)");
            var ownName = MachineOf(hostCa);
            if (machine is not null && ownName is not null && !string.Equals(machine, ownName, StringComparison.Ordinal))
            {
                throw new KithException($"{folder.HostCaCertificate}: is the Host CA of '{ownName}', but this agent is configured as machine '{machine}'");
            }

            var name = machine ?? ownName ?? throw new KithException($"{folder.HostCaCertificate}: names no machine; set `machine:` in the config");
            if (time.GetUtcNow() > hostCa.NotAfter.ToUniversalTime())
            {
                throw new KithException($"{folder.HostCaCertificate}: expired on {hostCa.NotAfter.ToUniversalTime():u}; have the operator re-sign it (`kith machine sign {name}`)");
            }

            return new AgentIdentity(folder, [.. listen], lifetime, time, name, domain, hostCa, root, revocationUrls);
        }
        catch
        {
            hostCa.Dispose();
            root.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        lock (gate)
        {
            served.Dispose();
            previous?.Dispose();
            foreach (var old in replaced)
            {
                old.Dispose();
            }

            replaced.Clear();
            hostCa.Dispose();
        }

        Root.Dispose();
    }

    /// <summary>The certificate to serve; renews it first when it is due or the Host CA changed.</summary>
    private Served Current()
    {
        var current = served;
        if (!IsDue(current))
        {
            return current;
        }

        lock (gate)
        {
            current = served;
            var now = time.GetUtcNow();
            if (!IsDue(current) || now < notBeforeNextAttempt)
            {
                return current;
            }

            notBeforeNextAttempt = now + MinimumRenewalSpacing;
            var issuer = hostCa;
            Served renewed;
            try
            {
                renewed = Issue(issuer);
            }
            catch (Exception e) when (e is KithException or IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
            {
                // Keep serving the current certificate while it is valid; the next handshake after the spacing retries.
                LogRenewalFailed(logger, e.Message, current.Certificate.NotAfter.ToUniversalTime(), notBeforeNextAttempt);
                return current;
            }

            // The one before the current is no longer handed out: a handshake that took it has long finished.
            previous?.Dispose();
            previous = current;
            served = renewed;
            LogRenewed(logger, renewed.Certificate.SerialNumber.ToLowerInvariant(), renewed.Certificate.NotAfter.ToUniversalTime(), issuer.SerialNumber.ToLowerInvariant(), renewed.RenewAt);
            return renewed;
        }
    }

    private bool IsDue(Served current) => !ReferenceEquals(current.IssuedUnder, hostCa) || time.GetUtcNow() >= current.RenewAt;

    private Served Issue(X509Certificate2 issuer)
    {
        X509Certificate2 certificate;
        using (var authority = CreateAuthority(issuer))
        {
            certificate = IssueServerCertificate(folder, authority, Machine, Domain, listen, lifetime, time);
        }

        var now = time.GetUtcNow();
        try
        {
            var notAfter = new DateTimeOffset(certificate.NotAfter.ToUniversalTime());
            var renewAt = now + ((notAfter - now) * RenewAt);
            var context = SslStreamCertificateContext.Create(certificate, [issuer], offline: true);
            return new Served(certificate, context, issuer, renewAt);
        }
        catch
        {
            certificate.Dispose();
            throw;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "agent certificate renewed: serial {Serial}, not after {NotAfter:O}, issued by the Host CA with serial {HostCaSerial}; next renewal at {RenewAt:O}")]
    private static partial void LogRenewed(ILogger logger, string serial, DateTime notAfter, string hostCaSerial, DateTimeOffset renewAt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "agent certificate: renewal failed: {Error}; still serving the current one (not after {NotAfter:O}); retry after {RetryAfter:O}")]
    private static partial void LogRenewalFailed(ILogger logger, string error, DateTime notAfter, DateTimeOffset retryAfter);

    /// <summary>One issued server certificate, its TLS context, the Host CA it was issued under and its renewal point.</summary>
    private sealed record Served(X509Certificate2 Certificate, SslStreamCertificateContext Context, X509Certificate2 IssuedUnder, DateTimeOffset RenewAt) : IDisposable
    {
        public void Dispose() => Certificate.Dispose();
    }

    private static X509Certificate2 IssueServerCertificate(
        AgentFolder folder,
        CertificateAuthority authority,
        string machine,
        string domain,
        IEnumerable<IPEndPoint> listen,
        TimeSpan lifetime,
        TimeProvider time)
    {
        var now = time.GetUtcNow();
        var addresses = listen
            .Select(e => e.Address)
            .Where(a => !a.Equals(IPAddress.Any) && !a.Equals(IPAddress.IPv6Any))
            .Where(a => authority.Constraints is null || authority.Constraints.Permits(a))
            .Distinct()
            .ToList();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var (notBefore, notAfter) = CertificateValidity.LeafWindow(now, lifetime, authority);
        var request = new LeafRequest(
            [$"{machine}.{domain}".ToLowerInvariant()],
            addresses,
            CertificateUsage.Server,
            key.ExportSubjectPublicKeyInfo(),
            notBefore,
            notAfter);
        using var issuer = new LeafIssuer(authority, time);
        IssuedCertificate issued;
        try
        {
            issued = issuer.Issue(request);
        }
        catch (PolicyViolationException e)
        {
            throw new KithException($"{folder.HostCaCertificate}: cannot issue this agent's own server certificate: {e.Message}");
        }

        using var certificate = X509CertificateLoader.LoadCertificate(issued.Der);
        return certificate.CopyWithPrivateKey(key);
    }

    /// <summary>The machine name from a Host CA subject "CN=kith Host CA &lt;machine&gt;".</summary>
    private static string? MachineOf(X509Certificate2 hostCa)
    {
        var prefix = Pki.HostCa.SubjectCommonName(string.Empty);
        var cn = hostCa.GetNameInfo(X509NameType.SimpleName, forIssuer: false);
        return cn.StartsWith(prefix, StringComparison.Ordinal) && cn.Length > prefix.Length ? cn[prefix.Length..] : null;
    }
}
