using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Kith.IntegrationTests.Acme.Clients;

/// <summary>
/// A throwaway CA and a server certificate it signed for 127.0.0.1 and localhost, written as PEM files: what a
/// test ACME server (pebble) serves HTTPS with, and the CA file the ACME clients are told to trust.
/// </summary>
internal sealed record LoopbackTlsCertificate(string CaFile, string CertificateFile, string KeyFile)
{
    /// <summary>Makes the CA and the server certificate and writes ca.pem, server.pem and server.key (0600) into <paramref name="folder"/>.</summary>
    public static LoopbackTlsCertificate Create(string folder)
    {
        var notBefore = DateTimeOffset.UtcNow.AddMinutes(-5);
        var notAfter = notBefore.AddDays(2);

        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=kith test ACME server CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        using var ca = caRequest.CreateSelfSigned(notBefore, notAfter);

        using var serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var serverRequest = new CertificateRequest("CN=localhost", serverKey, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        serverRequest.CertificateExtensions.Add(names.Build());
        serverRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        serverRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        serverRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        serverRequest.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        using var server = serverRequest.Create(ca, notBefore, notAfter, RandomNumberGenerator.GetBytes(16));

        var caFile = Path.Combine(folder, "ca.pem");
        var certificateFile = Path.Combine(folder, "server.pem");
        var keyFile = Path.Combine(folder, "server.key");
        File.WriteAllText(caFile, ca.ExportCertificatePem() + "\n");
        File.WriteAllText(certificateFile, server.ExportCertificatePem() + "\n");
        File.WriteAllText(keyFile, string.Empty);
        File.SetUnixFileMode(keyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.WriteAllText(keyFile, serverKey.ExportPkcs8PrivateKeyPem() + "\n");
        return new LoopbackTlsCertificate(caFile, certificateFile, keyFile);
    }
}
