using BenchmarkDotNet.Attributes;
using Kith.Storage;

namespace Kith.Bench;

/// <summary>
/// The issuance log's hot paths on SQLite: recording a batch (goal: tens of thousands of certificates
/// per second) and listing the whole log without DER (goal: 100,000 rows well under a second).
/// Run: <c>dotnet run -c Release --project bench/Kith.Bench -- --filter '*StoreBenchmarks*'</c>.
/// </summary>
[MemoryDiagnoser]
public class StoreBenchmarks
{
    private static readonly DateTimeOffset T0 = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "kith-bench", Guid.NewGuid().ToString("N"));
    private SqliteCertificateStore _store = null!;
    private int _round;

    [Params(10_000)]
    public int BatchSize { get; set; }

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _store = await SqliteCertificateStore.OpenAsync(Path.Combine(_folder, "kith.db"));
        await _store.RecordAsync(Batch(100_000, "ffff"));
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await _store.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    [Benchmark]
    public Task Record_a_batch() => _store.RecordAsync(Batch(BatchSize, $"{_round++:x8}"));

    [Benchmark]
    public Task<IReadOnlyList<CertificateRecord>> List_100000_without_der() =>
        _store.ListAsync(new CertificateQuery(Issuer: "bench"));

    private static List<CertificateRecord> Batch(int count, string prefix) =>
        Enumerable.Range(0, count)
            .Select(i => new CertificateRecord(
                "bench", $"{prefix}{i:x8}", CertificateKind.Server, ["music.home.arpa", "100.64.0.10"], $"m{i % 50}", "navidrome",
                T0.AddSeconds(i), T0.AddSeconds(i).AddDays(7), Der: new byte[600]))
            .ToList();
}
