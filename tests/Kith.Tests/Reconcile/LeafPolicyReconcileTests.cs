using System.Security.Cryptography.X509Certificates;
using Kith.Fleet;
using Kith.Reconcile;

namespace Kith.Tests.Reconcile;

/// <summary>The reconciler issues and renews by the leaf policy of each pass's state, unless its options override it.</summary>
public class LeafPolicyReconcileTests
{
    [Fact]
    public async Task A_state_saying_one_hour_renewed_at_half_gives_one_hour_certificates_renewed_at_half()
    {
        using var f = new ReconcileFixture();
        var state = ReconcileFixture.State(f.Endpoint("music", "music.home.arpa")) with { LeafValiditySeconds = 3600, RenewAt = 0.5 };

        var first = await f.PassAsync(state);

        Assert.Equal(TimeSpan.FromHours(1), Lifetime(f) - TimeSpan.FromMinutes(5));
        Assert.Equal(new LeafPolicy(TimeSpan.FromHours(1), 0.5), f.Reconciler.Policy);
        // Half of 65 minutes from notBefore (5 minutes ago) is 27.5 minutes from now; the jitter is at most 5 % (3.25 min) earlier.
        f.Time.Advance(TimeSpan.FromMinutes(24));
        Assert.Equal(EndpointAction.Kept, (await f.PassAsync(state))["music"].Action);
        f.Time.Advance(TimeSpan.FromMinutes(4));
        var renewed = await f.PassAsync(state);

        Assert.Equal(EndpointAction.Renewed, renewed["music"].Action);
        Assert.NotEqual(first["music"].Serial, renewed["music"].Serial);
        Assert.Equal(TimeSpan.FromHours(1), Lifetime(f) - TimeSpan.FromMinutes(5));
    }

    [Fact]
    public async Task The_options_lifetime_overrides_the_states()
    {
        using var f = new ReconcileFixture(new ReconcileOptions { LeafValidity = TimeSpan.FromHours(2) });
        var state = ReconcileFixture.State(f.Endpoint("music", "music.home.arpa")) with { LeafValiditySeconds = 3600, RenewAt = 0.5 };

        await f.PassAsync(state);

        Assert.Equal(TimeSpan.FromHours(2), Lifetime(f) - TimeSpan.FromMinutes(5));
        Assert.Equal(new LeafPolicy(TimeSpan.FromHours(2), 0.5), f.Reconciler.Policy);
    }

    [Fact]
    public async Task A_shortened_lifetime_renews_a_longer_certificate_when_one_of_the_new_length_would_be()
    {
        using var f = new ReconcileFixture();
        var old = ReconcileFixture.State(f.Endpoint("music", "music.home.arpa"));
        await f.PassAsync(old);
        Assert.Equal(TimeSpan.FromDays(7), Lifetime(f) - TimeSpan.FromMinutes(5));

        // 50 minutes on, a 7-day certificate is far from due; under a 1-hour policy (2/3 of 65 minutes from a
        // notBefore 5 minutes back: at most 38.3 minutes after issuing) it is due.
        f.Time.Advance(TimeSpan.FromMinutes(50));
        Assert.Equal(EndpointAction.Kept, (await f.PassAsync(old))["music"].Action);
        var shortened = await f.PassAsync(old with { Version = 2, LeafValiditySeconds = 3600 });

        Assert.Equal(EndpointAction.Renewed, shortened["music"].Action);
        Assert.Equal(TimeSpan.FromHours(1), Lifetime(f) - TimeSpan.FromMinutes(5));
    }

    private static TimeSpan Lifetime(ReconcileFixture f)
    {
        using var certificate = X509Certificate2.CreateFromPem(f.CertPem("music"));
        return certificate.NotAfter - certificate.NotBefore;
    }
}
