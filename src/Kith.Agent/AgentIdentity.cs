using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Kith.Enrollment;
using Kith.Fleet;
using Kith.Pki;

namespace Kith.Agent;

/// <summary>
/// Who this agent is: its machine, the fleet domain, its Host CA, the Root it trusts, and the short-lived
/// server certificate it issued itself from its Host CA for its own HTTPS endpoint.
/// </summary>
public sealed class AgentIdentity : IDisposable
{
    private readonly List<X509Certificate2> replaced = [];
    private volatile X509Certificate2 hostCa;

    private AgentIdentity(string machine, string domain, X509Certificate2 hostCa, X509Certificate2 root, X509Certificate2 server)
    {
        Machine = machine;
        Domain = domain;
        this.hostCa = hostCa;
        Root = root;
        ServerCertificate = server;
    }

    public string Machine { get; }

    public string Domain { get; }

    /// <summary>The Host CA certificate now installed (replaced when the agent installs a newer one).</summary>
    public X509Certificate2 HostCa => hostCa;

    /// <summary>
    /// Makes <paramref name="installed"/> the current Host CA. The previous one stays alive (Kestrel still sends
    /// it in the chain of this process's own server certificate, which it keeps certifying) until disposal.
    /// </summary>
    public void ReplaceHostCa(X509Certificate2 installed)
    {
        lock (replaced)
        {
            replaced.Add(hostCa);
            hostCa = installed;
        }
    }

    public X509Certificate2 Root { get; }

    /// <summary>The server certificate with its private key, for Kestrel.</summary>
    public X509Certificate2 ServerCertificate { get; }

    /// <summary>
    /// Loads the Host CA and the Root from the agent folder and issues the server certificate: DNS name
    /// <c>machine.domain</c>, plus the listen addresses as IP SANs where the Host CA's constraints permit them.
    /// </summary>
    /// <exception cref="KithException">The Host CA or the Root is not installed, or they do not fit.</exception>
    public static AgentIdentity Load(AgentFolder folder, string? machine, IEnumerable<IPEndPoint> listen, TimeSpan lifetime, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(folder);
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
            if (now > hostCa.NotAfter.ToUniversalTime())
            {
                throw new KithException($"{folder.HostCaCertificate}: expired on {hostCa.NotAfter.ToUniversalTime():u}; have the operator re-sign it (`kith machine sign {name}`)");
            }

            var server = IssueServerCertificate(folder, hostCa, root, name, domain, listen, lifetime, now);
            return new AgentIdentity(name, domain, hostCa, root, server);
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
        ServerCertificate.Dispose();
        lock (replaced)
        {
            foreach (var old in replaced)
            {
                old.Dispose();
            }

            replaced.Clear();
            hostCa.Dispose();
        }

        Root.Dispose();
    }

    private static X509Certificate2 IssueServerCertificate(
        AgentFolder folder,
        X509Certificate2 hostCa,
        X509Certificate2 root,
        string machine,
        string domain,
        IEnumerable<IPEndPoint> listen,
        TimeSpan lifetime,
        DateTimeOffset now)
    {
        using var caKey = folder.LoadHostCaKey();
        // The authority owns (and disposes) its certificate: give it a copy, the agent keeps serving hostCa.
        using var authority = new CertificateAuthority(machine, X509CertificateLoader.LoadCertificate(hostCa.RawData), caKey, [root.PublicKey.ExportSubjectPublicKeyInfo()]);
        var addresses = listen
            .Select(e => e.Address)
            .Where(a => !a.Equals(IPAddress.Any) && !a.Equals(IPAddress.IPv6Any))
            .Where(a => authority.Constraints is null || authority.Constraints.Permits(a))
            .Distinct()
            .ToList();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var notAfter = now + lifetime > authority.NotAfter ? authority.NotAfter : now + lifetime;
        var request = new LeafRequest(
            [$"{machine}.{domain}".ToLowerInvariant()],
            addresses,
            CertificateUsage.Server,
            key.ExportSubjectPublicKeyInfo(),
            now - TimeSpan.FromMinutes(5),
            notAfter);
        using var issuer = new LeafIssuer(authority);
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
