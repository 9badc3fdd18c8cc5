using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;

namespace Kith.Acme;

/// <summary>
/// Anti-replay nonces (RFC 8555 §6.5): 128 random bits in base64url, each redeemable once, for a
/// limited time. Memory is bounded: at most <see cref="Capacity"/> nonces are outstanding, and issuing
/// past that forgets the oldest. A forgotten, expired or already redeemed nonce is simply invalid
/// (the caller answers badNonce, and the client retries with the fresh nonce it got in that answer).
/// </summary>
/// <remarks>
/// The store is split into stripes chosen by the nonce's own random bits, each with its own lock, so
/// parallel requests rarely wait on each other; within a stripe, nonces sit in issue order, which is
/// also expiry order, so expired and evicted ones always leave from the front.
/// </remarks>
public sealed class NonceStore
{
    /// <summary>Default time a nonce stays redeemable.</summary>
    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromMinutes(5);

    /// <summary>Default number of nonces outstanding at once (about 10 MB at most).</summary>
    public const int DefaultCapacity = 65_536;

    /// <summary>Characters in a nonce: 16 bytes in unpadded base64url.</summary>
    public const int NonceLength = 22;

    private const int StripeCount = 16;

    private readonly TimeProvider time;
    private readonly long lifetimeTicks;
    private readonly int stripeCapacity;
    private readonly Stripe[] stripes;

    /// <param name="time">The clock that decides expiry.</param>
    /// <param name="lifetime">How long a nonce stays redeemable; <see cref="DefaultLifetime"/> when null.</param>
    /// <param name="capacity">Most nonces outstanding at once; at least 16.</param>
    public NonceStore(TimeProvider time, TimeSpan? lifetime = null, int capacity = DefaultCapacity)
    {
        ArgumentNullException.ThrowIfNull(time);
        var span = lifetime ?? DefaultLifetime;
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(span, TimeSpan.Zero, nameof(lifetime));
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, StripeCount);
        this.time = time;
        lifetimeTicks = span.Ticks;
        stripeCapacity = capacity / StripeCount;
        Capacity = stripeCapacity * StripeCount;
        Lifetime = span;
        stripes = new Stripe[StripeCount];
        for (var i = 0; i < stripes.Length; i++)
        {
            stripes[i] = new Stripe();
        }
    }

    /// <summary>Most nonces outstanding at once (the requested capacity rounded down to whole stripes).</summary>
    public int Capacity { get; }

    public TimeSpan Lifetime { get; }

    /// <summary>Nonces issued and not yet redeemed, expired or evicted (expired ones may linger until their stripe is next touched).</summary>
    public int Count
    {
        get
        {
            var count = 0;
            foreach (var stripe in stripes)
            {
                lock (stripe)
                {
                    count += stripe.Entries.Count;
                }
            }

            return count;
        }
    }

    /// <summary>A fresh nonce, for the Replay-Nonce header of any response or the newNonce resource.</summary>
    public string Issue()
    {
        Span<byte> bytes = stackalloc byte[16];
        RandomNumberGenerator.Fill(bytes);
        var value = BinaryPrimitives.ReadUInt128BigEndian(bytes);
        var now = time.GetUtcNow().UtcTicks;
        var stripe = StripeOf(value);
        lock (stripe)
        {
            stripe.DropExpired(now);
            while (stripe.Entries.Count >= stripeCapacity)
            {
                stripe.RemoveOldest();
            }

            // 128 random bits do not collide in practice; should they, the older nonce is forgotten.
            if (stripe.Entries.Remove(value, out var old))
            {
                stripe.Order.Remove(old);
            }

            stripe.Entries.Add(value, stripe.Order.AddLast(new Entry(value, now + lifetimeTicks)));
        }

        return Base64Url.EncodeToString(bytes);
    }

    /// <summary>
    /// Consumes <paramref name="nonce"/>: true exactly once for a nonce this store issued that has not
    /// expired or been evicted; false for anything else, including text that is not a nonce at all.
    /// </summary>
    public bool TryRedeem(string? nonce)
    {
        if (!TryDecode(nonce, out var value))
        {
            return false;
        }

        var now = time.GetUtcNow().UtcTicks;
        var stripe = StripeOf(value);
        lock (stripe)
        {
            if (!stripe.Entries.Remove(value, out var node))
            {
                return false;
            }

            stripe.Order.Remove(node);
            return now < node.Value.ExpiresTicks;
        }
    }

    /// <summary>Strict: exactly 22 base64url characters that are the canonical encoding of 16 bytes.</summary>
    private static bool TryDecode(string? nonce, out UInt128 value)
    {
        value = default;
        if (nonce is null || nonce.Length != NonceLength)
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[16];
        if (!StrictBase64Url.TryDecode(nonce, bytes, out var written) || written != 16)
        {
            return false;
        }

        value = BinaryPrimitives.ReadUInt128BigEndian(bytes);
        return true;
    }

    private Stripe StripeOf(UInt128 value) => stripes[(int)(value & (StripeCount - 1))];

    private readonly record struct Entry(UInt128 Value, long ExpiresTicks);

    private sealed class Stripe
    {
        public Dictionary<UInt128, LinkedListNode<Entry>> Entries { get; } = [];

        public LinkedList<Entry> Order { get; } = new();

        public void DropExpired(long now)
        {
            while (Order.First is { } first && first.Value.ExpiresTicks <= now)
            {
                RemoveOldest();
            }
        }

        public void RemoveOldest()
        {
            var first = Order.First!;
            Order.RemoveFirst();
            Entries.Remove(first.Value.Value);
        }
    }
}
