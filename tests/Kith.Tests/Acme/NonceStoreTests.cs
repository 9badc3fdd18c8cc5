using Kith.Acme;
using Microsoft.Extensions.Time.Testing;

namespace Kith.Tests.Acme;

public sealed class NonceStoreTests
{
    [Fact]
    public void A_nonce_is_redeemable_exactly_once()
    {
        var store = new NonceStore(new FakeTimeProvider());
        var nonce = store.Issue();

        Assert.Matches("^[A-Za-z0-9_-]{22}$", nonce);
        Assert.True(store.TryRedeem(nonce));
        Assert.False(store.TryRedeem(nonce));
    }

    [Fact]
    public void Nonces_are_distinct_and_unknown_ones_are_refused()
    {
        var store = new NonceStore(new FakeTimeProvider());
        var issued = Enumerable.Range(0, 1000).Select(_ => store.Issue()).ToHashSet();

        Assert.Equal(1000, issued.Count);
        var other = new NonceStore(new FakeTimeProvider()).Issue();
        Assert.False(store.TryRedeem(other));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not a nonce")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAA==")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAA+")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAA/")]
    public void Text_that_is_not_a_nonce_is_refused(string? text)
    {
        var store = new NonceStore(new FakeTimeProvider());
        store.Issue();

        Assert.False(store.TryRedeem(text));
    }

    [Fact]
    public void A_non_canonical_spelling_of_an_issued_nonce_is_refused()
    {
        var store = new NonceStore(new FakeTimeProvider());
        var nonce = store.Issue();
        // The last character holds two spare bits that must be zero; flipping one names the same bytes.
        var alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        var last = alphabet.IndexOf(nonce[^1], StringComparison.Ordinal);
        var twin = nonce[..^1] + alphabet[last ^ 1];

        Assert.False(store.TryRedeem(twin));
        Assert.True(store.TryRedeem(nonce));
    }

    [Fact]
    public void A_nonce_expires_after_its_lifetime()
    {
        var clock = new FakeTimeProvider();
        var store = new NonceStore(clock, TimeSpan.FromMinutes(5));
        var early = store.Issue();
        var late = store.Issue();

        clock.Advance(TimeSpan.FromMinutes(5) - TimeSpan.FromSeconds(1));
        Assert.True(store.TryRedeem(early));
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.False(store.TryRedeem(late));
    }

    [Fact]
    public void Expired_nonces_do_not_hold_memory()
    {
        var clock = new FakeTimeProvider();
        var store = new NonceStore(clock, TimeSpan.FromMinutes(1), capacity: 1024);
        for (var i = 0; i < 500; i++)
        {
            store.Issue();
        }

        clock.Advance(TimeSpan.FromMinutes(2));
        for (var i = 0; i < 500; i++)
        {
            store.Issue();
        }

        Assert.Equal(500, store.Count);
    }

    [Fact]
    public void Issuing_past_capacity_forgets_the_oldest_nonces()
    {
        var store = new NonceStore(new FakeTimeProvider(), capacity: 64);
        var oldest = store.Issue();
        var all = Enumerable.Range(0, 10_000).Select(_ => store.Issue()).ToList();

        Assert.Equal(64, store.Capacity);
        Assert.True(store.Count <= 64);
        Assert.False(store.TryRedeem(oldest));
        Assert.True(store.TryRedeem(all[^1]));
        Assert.Equal(9_000, all.Take(9_000).Count(n => !store.TryRedeem(n)));
    }

    [Fact]
    public void Fifty_threads_racing_to_redeem_one_nonce_succeed_once()
    {
        var store = new NonceStore(TimeProvider.System);
        for (var round = 0; round < 20; round++)
        {
            var nonce = store.Issue();
            var successes = 0;
            using var start = new Barrier(50);
            var threads = Enumerable.Range(0, 50).Select(_ => new Thread(() =>
            {
                start.SignalAndWait();
                if (store.TryRedeem(nonce))
                {
                    Interlocked.Increment(ref successes);
                }
            })).ToList();
            threads.ForEach(t => t.Start());
            threads.ForEach(t => t.Join());

            Assert.Equal(1, successes);
        }
    }

    [Fact]
    public void Parallel_issue_and_redeem_loses_no_nonce()
    {
        var store = new NonceStore(TimeProvider.System);
        var failures = 0;
        var threads = Enumerable.Range(0, 8).Select(_ => new Thread(() =>
        {
            for (var i = 0; i < 20_000; i++)
            {
                if (!store.TryRedeem(store.Issue()))
                {
                    Interlocked.Increment(ref failures);
                }
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        Assert.Equal(0, failures);
        Assert.Equal(0, store.Count);
    }
}
