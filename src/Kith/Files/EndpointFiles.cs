namespace Kith.Files;

/// <summary>
/// The PEM files of one endpoint, in the layout of NixOS security.acme and lego:
/// cert.pem, key.pem, chain.pem, fullchain.pem (cert + chain) and full.pem (key + fullchain).
/// </summary>
public sealed record EndpointFiles(string CertificatePem, string KeyPem, string ChainPem)
{
    public string CertificatePem { get; } = Pki.Pem.WithNewline(CertificatePem);

    public string KeyPem { get; } = Pki.Pem.WithNewline(KeyPem);

    public string ChainPem { get; } = Pki.Pem.WithNewline(ChainPem);

    public const string Cert = "cert.pem";
    public const string Key = "key.pem";
    public const string Chain = "chain.pem";
    public const string FullChain = "fullchain.pem";
    public const string Full = "full.pem";

    /// <summary>The folder of an endpoint without files.dir: /var/lib/acme/&lt;its first name&gt;, a wildcard's '*' as '_'.</summary>
    public static string DefaultFolder(string firstName)
    {
        ArgumentNullException.ThrowIfNull(firstName);
        return $"/var/lib/acme/{firstName.Replace('*', '_')}";
    }

    public string FullChainPem => CertificatePem + ChainPem;

    public string FullPem => KeyPem + FullChainPem;

    /// <summary>Each file with its content and whether it holds the private key.</summary>
    public IEnumerable<(string Name, string Content, bool Secret)> All()
    {
        yield return (Cert, CertificatePem, false);
        yield return (Key, KeyPem, true);
        yield return (Chain, ChainPem, false);
        yield return (FullChain, FullChainPem, false);
        yield return (Full, FullPem, true);
    }
}

/// <summary>Who owns an endpoint's files and how private the key is. Null ids keep the writer's.</summary>
public sealed record FileOwnership(UnixFileMode SecretMode, int? UserId = null, int? GroupId = null)
{
    public static FileOwnership Default { get; } = new(AtomicFile.PrivateMode);
}
