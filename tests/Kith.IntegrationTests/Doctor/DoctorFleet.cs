using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Kith.IntegrationTests.Support;
using Kith.Pki;

namespace Kith.IntegrationTests.Doctor;

/// <summary>
/// A real operator setup for <c>kith doctor</c>: <c>kith init</c> and <c>kith apply</c> with services web
/// (web.home.arpa) and other (other.home.arpa) on machine alpha, whose certificates apply writes to out/alpha/.
/// </summary>
public sealed class DoctorFleet : IAsyncLifetime
{
    public const string Inventory = """
        domain: home.arpa
        machines:
          alpha: { addresses: [127.0.0.1] }
        services:
          web:
            machine: alpha
            endpoints: [web.home.arpa]
            files: { dir: /var/lib/acme/web }
          other:
            machine: alpha
            endpoints: [other.home.arpa]
            files: { dir: /var/lib/acme/other }
        """;

    private KithWorkspace? kith;

    internal KithWorkspace Kith => kith ?? throw new InvalidOperationException("not started");

    public async ValueTask InitializeAsync()
    {
        kith = new KithWorkspace(Inventory);
        await kith.SucceedAsync("init");
        await kith.SucceedAsync("apply");
    }

    /// <summary>The folder apply wrote for a service of alpha (cert.pem, chain.pem, key.pem, fullchain.pem).</summary>
    public string ServiceFolder(string service) => Kith.EndpointFolder("alpha", $"/var/lib/acme/{service}");

    /// <summary>Runs <c>kith doctor</c> as its own process with this workspace's state and inventory.</summary>
    internal Task<CliResult> DoctorAsync(params string[] args) =>
        CliProcess.RunAsync(null, ["doctor", .. args, "--state", Kith.State, "-f", Kith.Inventory, "--timeout", "3"]);

    /// <summary>
    /// A leaf for <paramref name="name"/> signed by alpha's Host CA with the given dates, written as cert.pem and
    /// key.pem into a new folder; made outside kith's issuing policy, which refuses to issue an expired leaf.
    /// </summary>
    public string WriteLeaf(string folderName, string name, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        var hostCertificate = X509CertificateLoader.LoadCertificate(Pem.ReadCertificates(Path.Combine(Kith.State, "hosts", "alpha", "host-ca.pem"))[0]);
        using var hostKey = ECDsa.Create();
        hostKey.ImportFromPem(File.ReadAllText(Path.Combine(Kith.State, "hosts", "alpha", "host-ca.key")));
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(name);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(hostCertificate, true, false));
        using var leaf = request.Create(hostCertificate.SubjectName, X509SignatureGenerator.CreateForECDsa(hostKey), notBefore, notAfter, SerialNumber.New());
        var folder = Kith.File(folderName);
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "cert.pem"), Pem.Encode("CERTIFICATE", leaf.RawData));
        File.WriteAllText(Path.Combine(folder, "chain.pem"), Pem.Encode("CERTIFICATE", hostCertificate.RawData));
        File.WriteAllText(Path.Combine(folder, "key.pem"), PrivateKeyPem.Export(key));
        return folder;
    }

    /// <summary>A self-signed certificate for <paramref name="name"/> (as a default nginx or a forgotten test setup serves).</summary>
    public string WriteSelfSigned(string folderName, string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(name);
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(30));
        var folder = Kith.File(folderName);
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "cert.pem"), Pem.Encode("CERTIFICATE", certificate.RawData));
        File.WriteAllText(Path.Combine(folder, "chain.pem"), Pem.Encode("CERTIFICATE", certificate.RawData));
        File.WriteAllText(Path.Combine(folder, "key.pem"), PrivateKeyPem.Export(key));
        return folder;
    }

    public ValueTask DisposeAsync()
    {
        kith?.Dispose();
        return ValueTask.CompletedTask;
    }
}
