using System.Security.Cryptography.X509Certificates;
using Kith.Pki;

namespace Kith.Acme.Server;

/// <summary>
/// The Host CA as the ACME server uses it: the identifier policy its name constraints give, the chain sent
/// after each leaf, and one <see cref="LeafIssuer"/> behind a lock (signing takes tens of microseconds, so one
/// issuer serves all requests). Owns the <see cref="CertificateAuthority"/> it is given.
/// </summary>
public sealed class AcmeIssuingAuthority : IDisposable
{
    private readonly LeafIssuer issuer;
    private readonly Lock signing = new();

    /// <param name="authority">The Host CA with its key.</param>
    /// <param name="leafLifetime">How long ACME certificates live (the fleet's leaf validity).</param>
    public AcmeIssuingAuthority(CertificateAuthority authority, TimeSpan leafLifetime, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(authority);
        Authority = authority;
        LeafLifetime = leafLifetime;
        issuer = new LeafIssuer(authority, time);
        Policy = new OrderIdentifierPolicy(authority.Certificate);
        ChainPem = Pem.Encode("CERTIFICATE", authority.Certificate.RawData);
    }

    public CertificateAuthority Authority { get; }


    public TimeSpan LeafLifetime { get; }

    public OrderIdentifierPolicy Policy { get; }

    /// <summary>The PEM of the certificates that follow the leaf in a download (the Host CA; clients hold the Root).</summary>
    public string ChainPem { get; }

    public X509Certificate2 Certificate => Authority.Certificate;

    /// <summary>Prepares and signs one leaf. Throws <see cref="PolicyViolationException"/>.</summary>
    public IssuedCertificate Issue(LeafRequest request)
    {
        lock (signing)
        {
            return issuer.Issue(request);
        }
    }

    public void Dispose()
    {
        issuer.Dispose();
        Authority.Dispose();
    }
}
