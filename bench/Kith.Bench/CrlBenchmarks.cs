using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Kith.Pki;

namespace Kith.Bench;

/// <summary>
/// Signing a Host CA's CRL (ECDSA P-256) over 100, 10,000 and 100,000 revoked serials (16 random octets each,
/// as kith draws them, with a reason code): what the agent pays on every change. `crl-size` prints the sizes.
/// </summary>
[MemoryDiagnoser]
public class CrlBenchmarks
{
    private IssuanceFixture fixture = null!;
    private CrlEntry[] entries = null!;

    [Params(100, 10_000, 100_000)]
    public int Revoked { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        fixture = new IssuanceFixture();
        entries = Entries(Revoked);
    }

    [GlobalCleanup]
    public void Cleanup() => fixture.Dispose();

    [Benchmark]
    public int Sign()
    {
        var now = DateTimeOffset.UtcNow;
        return RevocationListSigner.Sign(fixture.Host, entries, 42, now, now.AddHours(48)).Length;
    }

    /// <summary>Revoked entries as the agent's store returns them: random serials, ordered, reason keyCompromise or superseded.</summary>
    public static CrlEntry[] Entries(int count)
    {
        var revokedAt = DateTimeOffset.UtcNow.AddDays(-1);
        return [.. Enumerable.Range(0, count)
            .Select(i => new CrlEntry(SerialNumber.ToHex(SerialNumber.New()), revokedAt.AddSeconds(i % 86_400), i % 2 == 0 ? 1 : 4))
            .OrderBy(e => e.SerialHex, StringComparer.Ordinal)];
    }

    /// <summary>`crl-size`: the DER size of each CRL, and one sign's wall time outside BenchmarkDotNet.</summary>
    public static int PrintSizes()
    {
        using var fixture = new IssuanceFixture();
        foreach (var count in new[] { 0, 100, 10_000, 100_000 })
        {
            var entries = Entries(count);
            var now = DateTimeOffset.UtcNow;
            var watch = System.Diagnostics.Stopwatch.StartNew();
            var der = RevocationListSigner.Sign(fixture.Host, entries, 42, now, now.AddHours(48));
            watch.Stop();
            Console.WriteLine(FormattableString.Invariant(
                $"CRL revoked={count} bytes={der.Length} bytes/entry={(count == 0 ? 0 : (der.Length - 300) / (double)count):F1} first-sign-ms={watch.Elapsed.TotalMilliseconds:F1} sha256={Convert.ToHexStringLower(SHA256.HashData(der))[..12]}"));
        }

        return 0;
    }
}
