using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using Kith.Pki;

namespace Kith.Bench;

/// <summary>
/// Leaf issuance, kith against the bare CertificateRequest loop, one certificate per operation on one
/// thread. Every benchmark returns PEM text; the NewKey ones also make a P-256 key and export it as
/// PKCS#8 PEM. <see cref="Raw_EcdsaSignHash"/> is .NET's counterpart of `openssl speed ecdsap256`
/// (sign a ready digest), the floor under every other figure.
/// </summary>
[Config(typeof(Config))]
[MemoryDiagnoser]
public class LeafIssuanceBenchmarks
{
    private readonly byte[] digest = SHA256.HashData("kith"u8);
    private readonly byte[] signature = new byte[128];
    private IssuanceFixture fixture = null!;
    private LeafIssuer issuer = null!;
    private LeafRequest fixedKeyRequest = null!;

    [GlobalSetup]
    public void Setup()
    {
        fixture = new IssuanceFixture();
        issuer = new LeafIssuer(fixture.Host);
        fixedKeyRequest = IssuanceFixture.Request(fixture.LeafSpki);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        issuer.Dispose();
        fixture.Dispose();
    }

    [Benchmark]
    public int Raw_EcdsaSignHash()
    {
        fixture.HostKey.TrySignHash(digest, signature, DSASignatureFormat.Rfc3279DerSequence, out var written);
        return written;
    }

    [Benchmark]
    public string Kith_SignOnly() => issuer.Issue(fixedKeyRequest).ToPem();

    [Benchmark]
    public string Bare_CertificateRequest_SignOnly() => fixture.BareIssuePem(fixture.LeafKey);

    [Benchmark]
    public int Kith_NewKey()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var keyPem = key.ExportPkcs8PrivateKeyPem();
        var certificatePem = issuer.Issue(IssuanceFixture.Request(key.ExportSubjectPublicKeyInfo())).ToPem();
        return keyPem.Length + certificatePem.Length;
    }

    [Benchmark]
    public int Bare_NewKey()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var keyPem = key.ExportPkcs8PrivateKeyPem();
        var certificatePem = fixture.BareIssuePem(key);
        return keyPem.Length + certificatePem.Length;
    }

    private sealed class Config : ManualConfig
    {
        public Config() => AddColumn(StatisticColumn.OperationsPerSecond);
    }
}
