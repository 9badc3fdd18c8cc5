using Kith.Reconcile;
using Microsoft.Extensions.Time.Testing;

namespace Kith.Tests.Reconcile;

/// <summary>Clocks a few minutes apart (the issuer's and the agent's, or the agent's after an NTP step) never make a reissue loop.</summary>
public class ClockSkewTests
{
    [Theory]
    [InlineData(-5)]
    [InlineData(5)]
    public async Task A_certificate_written_under_a_clock_five_minutes_off_is_kept_over_many_passes(int issuerOffsetMinutes)
    {
        using var f = new ReconcileFixture();
        var state = ReconcileFixture.State(f.Endpoint("music", "music.home.arpa"));
        // Another writer (a restored backup, a second clock) issued the files.
        var otherClock = new FakeTimeProvider(f.Time.GetUtcNow() + TimeSpan.FromMinutes(issuerOffsetMinutes));
        var other = new EndpointReconciler(otherClock, f.Options);
        var written = await other.ReconcileAsync(state, "storage", f.Authorities.Host, TestContext.Current.CancellationToken);
        Assert.Equal(EndpointAction.Issued, written["music"].Action);

        for (var pass = 0; pass < 10; pass++)
        {
            var result = await f.PassAsync(state);
            Assert.Equal(EndpointAction.Kept, result["music"].Action);
            Assert.Equal(written["music"].Serial, result["music"].Serial);
            f.Time.Advance(TimeSpan.FromMinutes(1));
        }
    }

    [Fact]
    public async Task The_agent_clock_stepping_five_minutes_back_and_forth_reissues_nothing_and_renews_once_when_due()
    {
        using var f = new ReconcileFixture();
        // FakeTimeProvider never goes back; an NTP step does.
        var clock = new SteppingClock(f.Time.GetUtcNow());
        var agent = new EndpointReconciler(clock, f.Options, new Random(7));
        Task<ReconcileResult> PassAsync(Kith.Fleet.FleetState s) => agent.ReconcileAsync(s, "storage", f.Authorities.Host, TestContext.Current.CancellationToken);
        var state = ReconcileFixture.State(f.Endpoint("music", "music.home.arpa"));
        var first = await PassAsync(state);
        var serial = first["music"].Serial;

        foreach (var step in new[] { -5, 5, 5, -5, -5, -5, 10, 5 })
        {
            clock.Now += TimeSpan.FromMinutes(step);
            var result = await PassAsync(state);
            Assert.Equal(EndpointAction.Kept, result["music"].Action);
            Assert.Equal(serial, result["music"].Serial);
        }

        // Past the renewal point (with the clock 5 minutes ahead): one renewal, then quiet again, even when the
        // clock steps back 5 minutes behind the new certificate's issue time.
        clock.Now += TimeSpan.FromDays(5) + TimeSpan.FromMinutes(5);
        var renewed = await PassAsync(state);
        Assert.Equal(EndpointAction.Renewed, renewed["music"].Action);
        clock.Now -= TimeSpan.FromMinutes(5);
        for (var pass = 0; pass < 5; pass++)
        {
            var result = await PassAsync(state);
            Assert.Equal(EndpointAction.Kept, result["music"].Action);
            Assert.Equal(renewed["music"].Serial, result["music"].Serial);
            clock.Now += TimeSpan.FromMinutes(2);
        }
    }

    /// <summary>A clock that can be set anywhere, backwards too.</summary>
    private sealed class SteppingClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
