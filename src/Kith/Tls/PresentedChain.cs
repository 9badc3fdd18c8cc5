using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Kith.Tls;

/// <summary>
/// Collects the certificates a TLS server sends, leaf first, while trusting nothing: its <see cref="Capture"/> is
/// an SslStream validation callback that accepts every chain, since the caller verifies against the kith Root.
/// </summary>
public sealed class PresentedChain
{
    private readonly List<X509Certificate2> certificates = [];

    /// <summary>What the server sent so far (empty until the handshake reaches its certificate).</summary>
    public IReadOnlyList<X509Certificate2> Certificates => certificates;

    public bool Capture(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (certificate is not null)
        {
            certificates.Add(X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
        }

        foreach (var extra in chain?.ChainPolicy.ExtraStore ?? [])
        {
            if (!certificates.Any(c => c.RawData.AsSpan().SequenceEqual(extra.RawData)))
            {
                certificates.Add(X509CertificateLoader.LoadCertificate(extra.RawData));
            }
        }

        return true;
    }
}
