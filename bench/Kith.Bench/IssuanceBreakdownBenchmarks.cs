using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using Kith.Pki;

namespace Kith.Bench;

/// <summary>Where one sign-only issuance spends its time: the pieces of Prepare and Sign, one by one.</summary>
[Config(typeof(Config))]
[MemoryDiagnoser]
public class IssuanceBreakdownBenchmarks
{
    private IssuanceFixture fixture = null!;
    private LeafIssuer issuer = null!;
    private LeafRequest request = null!;
    private byte[] tbs = null!;
    private byte[] der = null!;
    private readonly byte[] signature = new byte[128];

    [GlobalSetup]
    public void Setup()
    {
        fixture = new IssuanceFixture();
        issuer = new LeafIssuer(fixture.Host);
        request = IssuanceFixture.Request(fixture.LeafSpki);
        tbs = issuer.Prepare(request).Tbs.ToArray();
        der = issuer.Issue(request).Der;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        issuer.Dispose();
        fixture.Dispose();
    }

    /// <summary>Policy checks, serial and TBS encoding: everything before the signature.</summary>
    [Benchmark]
    public int Prepare() => issuer.Prepare(request).Tbs.Length;

    [Benchmark]
    public void PolicyCheck() => IssuancePolicy.Check(fixture.Host, request, request.NotBefore);

    [Benchmark]
    public byte[] Serial() => SerialNumber.New();

    /// <summary>SHA-256 of the TBS and the ECDSA signature, as <see cref="LeafIssuer.Sign"/> calls it.</summary>
    [Benchmark]
    public bool SignTbs() => fixture.HostKey.TrySignData(tbs, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence, out _);

    [Benchmark]
    public string ToPem() => Pem.Encode("CERTIFICATE", der);

    private sealed class Config : ManualConfig
    {
        public Config() => AddColumn(StatisticColumn.OperationsPerSecond);
    }
}
