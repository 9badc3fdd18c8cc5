using Kith.Files;
using Kith.IntegrationTests.Support;
using Kith.Pki;

namespace Kith.IntegrationTests.Proxy;

/// <summary>
/// A Root and a Host CA for *.home.arpa, with endpoint files written the way the agent writes them
/// (cert.pem, key.pem 0600, chain.pem, fullchain.pem) into a folder per endpoint.
/// </summary>
internal sealed class ProxyPki : IDisposable
{
    private readonly TestPki pki = new(constraints: new NameConstraints(["home.arpa"], []));
    private readonly LeafIssuer issuer;

    public ProxyPki(TempFolder folder)
    {
        Folder = folder;
        issuer = new LeafIssuer(pki.Host);
        (RootCertificate, _) = pki.WriteCas(folder);
    }

    public TempFolder Folder { get; }

    /// <summary>root.pem: what curl trusts and what nginx verifies clients and backends against.</summary>
    public string RootCertificate { get; }

    /// <summary>Issues a leaf for <paramref name="names"/> and writes its files into <c>&lt;tag&gt;/</c>; returns the folder.</summary>
    public string WriteEndpoint(string tag, CertificateUsage usage, params string[] names)
    {
        using var key = Keys.Create(KeyAlgorithm.EcdsaP256);
        var issued = issuer.Issue(TestPki.Request(key, usage, names));
        var files = new EndpointFiles(issued.ToPem(), PrivateKeyPem.Export(key), Pem.Encode("CERTIFICATE", pki.Host.Certificate.RawData));
        var folder = Folder.File(tag);
        Directory.CreateDirectory(folder);
        foreach (var (name, content, secret) in files.All())
        {
            var path = Path.Combine(folder, name);
            File.WriteAllText(path, content);
            if (secret)
            {
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
        }

        return folder;
    }

    public void Dispose()
    {
        issuer.Dispose();
        pki.Dispose();
    }
}
