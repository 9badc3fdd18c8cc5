using System.Collections.Concurrent;

namespace Kith.Revocation.Ocsp;

/// <summary>
/// Answers by exact bytes (request DER, or CertID DER), bounded: when <c>capacity</c> entries are held,
/// the next insert starts again from empty, so random keys cannot grow it without end. An entry is handed out only
/// while its answer's <see cref="OcspAnswer.ServeUntil"/> lies ahead and it was stored in the current generation:
/// <see cref="Clear"/> moves to a new generation, so an answer computed before a revocation and stored after the
/// clear is never served.
/// </summary>
internal sealed class OcspAnswerCache(int capacity)
{
    private readonly ConcurrentDictionary<byte[], Entry> entries = new(ByteSequenceComparer.Instance);
    private int count;
    private long generation;

    /// <summary>The generation to pass to <see cref="Set"/> for an answer computed from now on.</summary>
    public long Generation => Interlocked.Read(ref generation);

    public int Count => Volatile.Read(ref count);

    public bool TryGet(ReadOnlySpan<byte> key, DateTimeOffset now, out OcspAnswer answer)
    {
        if (entries.GetAlternateLookup<ReadOnlySpan<byte>>().TryGetValue(key, out var entry)
            && entry.Generation == Generation
            && now < entry.Answer.ServeUntil)
        {
            answer = entry.Answer;
            return true;
        }

        answer = null!;
        return false;
    }

    /// <summary>Stores the answer unless the cache was cleared since <paramref name="computedIn"/>.</summary>
    public void Set(byte[] key, OcspAnswer answer, long computedIn)
    {
        if (computedIn != Generation)
        {
            return;
        }

        if (Interlocked.Increment(ref count) > capacity)
        {
            entries.Clear();
            Volatile.Write(ref count, 1);
        }

        entries[key] = new Entry(answer, computedIn);
    }

    /// <summary>Drops everything; answers computed before this call are not stored afterwards.</summary>
    public void Clear()
    {
        Interlocked.Increment(ref generation);
        entries.Clear();
        Volatile.Write(ref count, 0);
    }

    /// <summary>A snapshot of the keys and answers of the current generation.</summary>
    public List<KeyValuePair<byte[], OcspAnswer>> Snapshot()
    {
        var current = Generation;
        return [.. entries.Where(e => e.Value.Generation == current).Select(e => KeyValuePair.Create(e.Key, e.Value.Answer))];
    }

    /// <summary>Removes one key (an answer past its time).</summary>
    public void Remove(byte[] key)
    {
        if (entries.TryRemove(key, out _))
        {
            Interlocked.Decrement(ref count);
        }
    }

    private sealed record Entry(OcspAnswer Answer, long Generation);
}
