namespace Kith.Dns.Server;

/// <summary>Queries answered, by rcode (extended codes included), and garbage dropped; updated lock-free from every socket thread.</summary>
public sealed class DnsQueryCounters
{
    private readonly long[] byRcode = new long[24];
    private long dropped;

    /// <summary>Messages dropped unanswered (under 12 bytes, or responses).</summary>
    public long Dropped => Interlocked.Read(ref dropped);

    /// <summary>All answered queries.</summary>
    public long Total
    {
        get
        {
            long sum = 0;
            for (var i = 0; i < byRcode.Length; i++)
            {
                sum += Interlocked.Read(ref byRcode[i]);
            }

            return sum;
        }
    }

    /// <summary>The counts by rcode label (noerror, nxdomain, …), only those seen.</summary>
    public IReadOnlyList<KeyValuePair<string, long>> ByRcode()
    {
        var seen = new List<KeyValuePair<string, long>>();
        for (var i = 0; i < byRcode.Length; i++)
        {
            var count = Interlocked.Read(ref byRcode[i]);
            if (count > 0)
            {
                seen.Add(new(DnsRcode.Name(i), count));
            }
        }

        return seen;
    }

    internal void Count(int rcode) => Interlocked.Increment(ref byRcode[Math.Clamp(rcode, 0, byRcode.Length - 1)]);

    internal void CountDropped() => Interlocked.Increment(ref dropped);
}
