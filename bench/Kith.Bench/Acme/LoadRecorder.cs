using System.Diagnostics;

namespace Kith.Bench.Acme;

/// <summary>
/// What one client saw: the latency of every request by type, badNonce retries, sleeps between polls,
/// failures by kind, and the serial of every certificate it downloaded. Each client owns one, so recording
/// takes no lock; the driver merges them at the end.
/// </summary>
internal sealed class LoadRecorder
{
    private readonly List<long>[] latencies = [.. Enum.GetValues<AcmeRequestType>().Select(_ => new List<long>())];

    public Dictionary<string, int> Failures { get; } = new(StringComparer.Ordinal);

    public List<string> Serials { get; } = [];

    public int BadNonceRetries { get; set; }

    /// <summary>Sleeps between polls of an authorization (after its challenge was answered).</summary>
    public int AuthzPollSleeps { get; set; }

    /// <summary>Sleeps between polls of an order (after finalize).</summary>
    public int OrderPollSleeps { get; set; }

    public TimeSpan PollSleepTime { get; set; }

    public int Certificates => Serials.Count;

    /// <summary>Stopwatch ticks of each request of <paramref name="type"/>, unordered.</summary>
    public IReadOnlyList<long> Latencies(AcmeRequestType type) => latencies[(int)type];

    public void Record(AcmeRequestType type, long stopwatchTicks) => latencies[(int)type].Add(stopwatchTicks);

    public void Fail(string kind) => Failures[kind] = Failures.GetValueOrDefault(kind) + 1;

    public void Add(LoadRecorder other)
    {
        for (var i = 0; i < latencies.Length; i++)
        {
            latencies[i].AddRange(other.latencies[i]);
        }

        foreach (var (kind, count) in other.Failures)
        {
            Failures[kind] = Failures.GetValueOrDefault(kind) + count;
        }

        Serials.AddRange(other.Serials);
        BadNonceRetries += other.BadNonceRetries;
        AuthzPollSleeps += other.AuthzPollSleeps;
        OrderPollSleeps += other.OrderPollSleeps;
        PollSleepTime += other.PollSleepTime;
    }

    public static double Milliseconds(long stopwatchTicks) => stopwatchTicks * 1000.0 / Stopwatch.Frequency;
}
