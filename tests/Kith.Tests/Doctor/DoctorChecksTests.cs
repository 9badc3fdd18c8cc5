using Kith.Doctor;
using Kith.Inventory;

namespace Kith.Tests.Doctor;

/// <summary>The parts of the checks that need no network: alert names, expiry verdicts, which names are checked.</summary>
public class DoctorChecksTests
{
    [Theory]
    [InlineData("error:0A000438:SSL routines::tlsv1 alert internal error", "internal error")]
    [InlineData("error:0A000458:SSL routines::tlsv1 unrecognized name", "unrecognized name")]
    [InlineData("SSL Handshake failed: error:0A000410:SSL routines::sslv3 alert handshake failure", "handshake failure")]
    [InlineData("error:0A00045C:SSL routines::tlsv13 alert certificate required", "certificate required")]
    [InlineData("Connection reset by peer", null)]
    public void The_alert_name_is_read_from_openssls_reason(string reasons, string? alert)
    {
        Assert.Equal(alert, TlsHandshakeCheck.AlertOf(reasons));
    }

    [Fact]
    public void Expiry_is_ok_before_the_renewal_point_warns_after_it_and_fails_once_expired()
    {
        var leaf = DoctorFacts.Leaf;

        Assert.Equal(CheckStatus.Ok, CertificateChecks.Expiry(leaf, 2.0 / 3.0, new DateTimeOffset(2026, 6, 12, 0, 0, 0, TimeSpan.Zero)).Status);
        Assert.Equal(CheckStatus.Warn, CertificateChecks.Expiry(leaf, 2.0 / 3.0, new DateTimeOffset(2026, 6, 13, 5, 0, 0, TimeSpan.Zero)).Status);
        var expired = CertificateChecks.Expiry(leaf, 2.0 / 3.0, new DateTimeOffset(2026, 6, 16, 0, 0, 0, TimeSpan.Zero));
        Assert.Equal(CheckStatus.Fail, expired.Status);
        Assert.Equal("expired 2026-06-15 12:00:00Z", expired.Detail);
    }

    [Fact]
    public void An_expired_host_ca_fails_the_expiry_check()
    {
        var leaf = DoctorFacts.Leaf with { IssuerNotAfter = new DateTimeOffset(2026, 6, 9, 0, 0, 0, TimeSpan.Zero) };

        var result = CertificateChecks.Expiry(leaf, 2.0 / 3.0, DoctorFacts.Now);

        Assert.Equal(CheckStatus.Fail, result.Status);
        Assert.Contains("kith Host CA storage expired 2026-06-09", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_names_every_server_endpoint_and_alias_is_checked_but_not_wildcards_or_client_services()
    {
        var inventory = Inventory();

        var targets = DoctorTargets.Of(inventory, []);

        Assert.Equal(["music.home.arpa", "navidrome.home.arpa", "photos.home.arpa"], targets.Select(t => t.Name));
        Assert.Equal(("navidrome", "storage"), (targets[1].Service, targets[1].Machine));
    }

    [Fact]
    public void A_named_endpoint_is_matched_to_its_service_exactly_or_by_a_wildcard_and_an_unknown_one_is_kept()
    {
        var targets = DoctorTargets.Of(Inventory(), ["MUSIC.home.arpa.", "x.apps.home.arpa", "ghost.example.org"]);

        Assert.Equal(new DoctorTarget("music.home.arpa", "navidrome", "storage", true), targets[0]);
        Assert.Equal(new DoctorTarget("x.apps.home.arpa", "apps", "storage", true), targets[1]);
        Assert.Equal(new DoctorTarget("ghost.example.org", null, null, false), targets[2]);
    }

    [Fact]
    public void A_name_that_is_not_a_dns_name_is_refused_with_the_name()
    {
        var error = Assert.Throws<KithException>(() => DoctorTargets.Of(Inventory(), ["bad_name!.home.arpa"]));

        Assert.Contains("'bad_name!.home.arpa' is not a DNS name", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_owner_of_served_names_is_the_service_whose_certificate_carries_them()
    {
        Assert.Equal("service immich on storage", DoctorTargets.OwnerOf(Inventory(), ["photos.home.arpa"]));
        Assert.Null(DoctorTargets.OwnerOf(Inventory(), ["elsewhere.example.org"]));
    }

    private static FleetInventory Inventory() => InventoryLoader.Parse(
        """
        domain: home.arpa
        machines:
          storage: { addresses: [192.0.2.10] }
        services:
          navidrome:
            machine: storage
            endpoints: [music.home.arpa]
            aliases: [navidrome.home.arpa]
          immich:
            machine: storage
            endpoints: [photos.home.arpa]
          apps:
            machine: storage
            endpoints: ["*.apps.home.arpa"]
          backup:
            machine: storage
            kind: client
        """,
        "kith.yaml");
}
