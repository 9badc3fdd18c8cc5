using Kith.Agent;
using Microsoft.Extensions.Time.Testing;

namespace Kith.Tests.Agent;

public class PassBackoffTests
{
    [Fact]
    public void Failed_passes_wait_five_seconds_doubling_to_five_minutes_shortened_by_at_most_twenty_percent()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-23T08:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var backoff = new PassBackoff(time, new Random(3));
        double[] expected = [5, 10, 20, 40, 80, 160, 300, 300, 300];
        for (var i = 0; i < expected.Length; i++)
        {
            var retry = backoff.Fail();
            Assert.Equal(i == 0, retry.StartsStreak);
            Assert.Equal(i + 1, retry.Failures);
            Assert.InRange(retry.Pause.TotalSeconds, expected[i] * 0.8, expected[i]);
            Assert.Equal(time.GetUtcNow() + retry.Pause, retry.At);
        }
    }

    [Fact]
    public void A_success_resets_the_streak_so_the_next_failure_is_again_the_first_and_waits_five_seconds()
    {
        var time = new FakeTimeProvider();
        var backoff = new PassBackoff(time, new Random(5));
        backoff.Fail();
        backoff.Fail();
        backoff.Fail();

        Assert.Equal(3, backoff.Succeed());
        Assert.Equal(0, backoff.Succeed());
        var retry = backoff.Fail();

        Assert.True(retry.StartsStreak);
        Assert.InRange(retry.Pause.TotalSeconds, 4, 5);
    }

    [Fact]
    public void Agents_failing_together_spread_their_retries()
    {
        var time = new FakeTimeProvider();
        var pauses = Enumerable.Range(0, 20).Select(seed =>
        {
            var backoff = new PassBackoff(time, new Random(seed));
            for (var i = 0; i < 5; i++)
            {
                backoff.Fail();
            }

            return backoff.Fail().Pause;
        }).ToList();

        Assert.True(pauses.Distinct().Count() > 10, string.Join(", ", pauses));
        Assert.True(pauses.Max() - pauses.Min() > TimeSpan.FromSeconds(20), string.Join(", ", pauses));
    }
}
