using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using Kith.Acme;
using Kith.Acme.Issuance;
using Kith.Acme.Jws;

namespace Kith.Bench;

/// <summary>What reading and judging one finalize CSR costs (structure, key check, signature, names).</summary>
[Config(typeof(Config))]
[MemoryDiagnoser]
public class AcmeCsrBenchmarks
{
    private static readonly AcmeIdentifier[] Order = [new("dns", "a.example"), new("dns", "b.example")];

    private byte[] p256 = null!;
    private byte[] rsa2048 = null!;
    private AcmeAccountKey account = null!;

    [GlobalSetup]
    public void Setup()
    {
        p256 = Csr(ECDsa.Create(ECCurve.NamedCurves.nistP256));
        rsa2048 = Csr(RSA.Create(2048));
        using var accountKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var q = accountKey.ExportParameters(false).Q;
        using var jwk = JsonDocument.Parse($$"""{"kty":"EC","crv":"P-256","x":"{{Convert.ToBase64String(q.X!).TrimEnd('=').Replace('+', '-').Replace('/', '_')}}","y":"{{Convert.ToBase64String(q.Y!).TrimEnd('=').Replace('+', '-').Replace('/', '_')}}"}""");
        AcmeJwkParser.TryParse(jwk.RootElement, out var key, out _);
        account = key!;
        verifier = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        spki = verifier.ExportSubjectPublicKeyInfo();
        sig = verifier.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
    }

    [Benchmark]
    public bool P256() => AcmeCsr.TryRead(p256, Order, account, out _, out _);

    [Benchmark]
    public bool Rsa2048() => AcmeCsr.TryRead(rsa2048, Order, account, out _, out _);

    /// <summary>Reference: importing a P-256 public key into the platform, which every verification needs.</summary>
    [Benchmark]
    public int ImportEc()
    {
        using var ecdsa = ECDsa.Create();
        ecdsa.ImportSubjectPublicKeyInfo(spki, out _);
        return ecdsa.KeySize;
    }

    /// <summary>Reference: one bare P-256 ECDSA verification with an already imported key.</summary>
    [Benchmark]
    public bool VerifyEc() => verifier.VerifyData(data, sig, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);

    /// <summary>Reference: .NET's own CSR reader with signature check (no name or key policy).</summary>
    [Benchmark]
    public int LoadNet() => CertificateRequest.LoadSigningRequest(p256, HashAlgorithmName.SHA256).CertificateExtensions.Count;

    private byte[] spki = null!;
    private readonly byte[] data = new byte[300];
    private byte[] sig = null!;
    private ECDsa verifier = null!;

    private static byte[] Csr(AsymmetricAlgorithm key)
    {
        var subject = new X500DistinguishedName("CN=a.example");
        var request = key is ECDsa ecdsa
            ? new CertificateRequest(subject, ecdsa, HashAlgorithmName.SHA256)
            : new CertificateRequest(subject, (RSA)key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("a.example");
        san.AddDnsName("b.example");
        request.CertificateExtensions.Add(san.Build());
        return request.CreateSigningRequest();
    }

    private sealed class Config : ManualConfig
    {
        public Config() => AddColumn(StatisticColumn.OperationsPerSecond);
    }
}
