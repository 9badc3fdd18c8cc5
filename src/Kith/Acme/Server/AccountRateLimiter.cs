using System.Collections.Concurrent;

namespace Kith.Acme.Server;

/// <summary>
/// New orders per account: a token bucket per account, held in memory (a restart refills every bucket,
/// which is acceptable for a limit that protects the agent from a runaway client, not a quota).
/// </summary>
internal sealed class AccountRateLimiter(double perMinute, int burst, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, Bucket> buckets = new(StringComparer.Ordinal);

    /// <summary>Takes one token; when none is left, returns false and how long until the next one.</summary>
    public bool TryTake(string accountId, out TimeSpan retryAfter)
    {
        var bucket = buckets.GetOrAdd(accountId, _ => new Bucket(burst, time.GetTimestamp()));
        lock (bucket)
        {
            var now = time.GetTimestamp();
            var elapsedMinutes = time.GetElapsedTime(bucket.Stamp, now).TotalMinutes;
            bucket.Tokens = Math.Min(burst, bucket.Tokens + (elapsedMinutes * perMinute));
            bucket.Stamp = now;
            if (bucket.Tokens >= 1)
            {
                bucket.Tokens -= 1;
                retryAfter = TimeSpan.Zero;
                return true;
            }

            retryAfter = TimeSpan.FromMinutes((1 - bucket.Tokens) / perMinute);
            return false;
        }
    }

    private sealed class Bucket(double tokens, long stamp)
    {
        public double Tokens { get; set; } = tokens;

        public long Stamp { get; set; } = stamp;
    }
}
