namespace Kith.Reconcile;

/// <summary>
/// Per-key retry state in memory: capped exponential backoff with jitter. After the n-th failure in a row
/// the next attempt waits min(initial · 2ⁿ⁻¹, max), shortened by a random 0–20 % so that endpoints that
/// failed together do not retry together. A success forgets the key.
/// </summary>
public sealed class RetrySchedule(TimeProvider time, TimeSpan initial, TimeSpan max, Random? random = null)
{
    private readonly Dictionary<string, Entry> entries = new(StringComparer.Ordinal);
    private readonly Random random = random ?? Random.Shared;

    /// <summary>True when <paramref name="key"/> has no failure pending or its retry time has come.</summary>
    public bool IsDue(string key) => !entries.TryGetValue(key, out var entry) || time.GetUtcNow() >= entry.NextAttempt;

    public bool IsPending(string key) => entries.ContainsKey(key);

    public DateTimeOffset? NextAttempt(string key) => entries.TryGetValue(key, out var entry) ? entry.NextAttempt : null;

    public int Failures(string key) => entries.TryGetValue(key, out var entry) ? entry.Failures : 0;

    /// <summary>Records a failure and returns when to try again.</summary>
    public DateTimeOffset Fail(string key)
    {
        var failures = Failures(key) + 1;
        var delay = Delay(failures);
        var next = time.GetUtcNow() + (delay * (1 - (0.2 * random.NextDouble())));
        entries[key] = new Entry(failures, next);
        return next;
    }

    /// <summary>Marks <paramref name="key"/> as needing an attempt now (a reload after new files).</summary>
    public void Request(string key) => entries[key] = new Entry(0, DateTimeOffset.MinValue);

    public void Succeed(string key) => entries.Remove(key);

    /// <summary>The delay before jitter after <paramref name="failures"/> failures in a row.</summary>
    public TimeSpan Delay(int failures)
    {
        var exponent = Math.Min(failures - 1, 30);
        var ticks = Math.Min(initial.Ticks * Math.Pow(2, exponent), max.Ticks);
        return TimeSpan.FromTicks((long)ticks);
    }

    private readonly record struct Entry(int Failures, DateTimeOffset NextAttempt);
}
