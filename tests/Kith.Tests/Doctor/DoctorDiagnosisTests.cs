using System.Net;
using Kith.Doctor;

namespace Kith.Tests.Doctor;

/// <summary>Each diagnosis rule: which facts give which cause, and that the cause names the machine, service, dates and names.</summary>
public class DoctorDiagnosisTests
{
    private static readonly DateTimeOffset Later = new(2026, 6, 22, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_healthy_endpoint_has_no_cause_and_does_not_need_its_agent()
    {
        var facts = DoctorFacts.Healthy();

        Assert.Empty(DoctorDiagnosis.Causes(facts));
        Assert.False(DoctorDiagnosis.NeedsAgent(facts));
    }

    [Theory]
    [InlineData("internal error")]
    [InlineData("unrecognized name")]
    [InlineData("handshake failure")]
    public void A_handshake_alert_means_no_certificate_for_the_name_and_names_the_agent_that_should_have_issued_it(string alert)
    {
        var facts = DoctorFacts.Alert(alert, agent: null);

        var cause = Assert.Single(DoctorDiagnosis.Causes(facts));

        Assert.True(DoctorDiagnosis.NeedsAgent(facts));
        Assert.StartsWith("no certificate for music.home.arpa", cause, StringComparison.Ordinal);
        Assert.Contains($"\"{alert}\"", cause, StringComparison.Ordinal);
        Assert.Contains("the agent on storage should have issued it for service navidrome", cause, StringComparison.Ordinal);
    }

    [Fact]
    public void When_the_agent_holds_a_good_certificate_the_proxy_is_blamed_with_the_folder()
    {
        var facts = DoctorFacts.Alert("unrecognized name", DoctorFacts.Reachable("ok", new DateTimeOffset(2026, 6, 15, 0, 0, 0, TimeSpan.Zero)));

        var cause = Assert.Single(DoctorDiagnosis.Causes(facts));

        Assert.Contains("and it did (valid until 2026-06-15 00:00:00Z, in /var/lib/kith/music)", cause, StringComparison.Ordinal);
        Assert.Contains("the proxy does not serve it", cause, StringComparison.Ordinal);
        Assert.Contains("kith proxy render --machine storage", cause, StringComparison.Ordinal);
    }

    [Fact]
    public void When_the_agent_failed_to_issue_its_words_are_given()
    {
        var facts = DoctorFacts.Alert("internal error", DoctorFacts.Reachable("failing", null, "the Host CA may not issue music.home.arpa"));

        var cause = Assert.Single(DoctorDiagnosis.Causes(facts));

        Assert.Contains("and it has not: it reports service navidrome failing: the Host CA may not issue music.home.arpa", cause, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unreachable_agent_is_said_plainly()
    {
        var agent = new AgentAnswer("storage", AgentReach.Unreachable, "https://storage.home.arpa:8555/healthz", "Connection refused (storage.home.arpa:8555)", null, null);

        var cause = Assert.Single(DoctorDiagnosis.Causes(DoctorFacts.Alert("handshake failure", agent)));

        Assert.Contains("whether it did is unknown: its agent at https://storage.home.arpa:8555/healthz is unreachable (Connection refused (storage.home.arpa:8555))", cause, StringComparison.Ordinal);
    }

    [Fact]
    public void An_agent_that_does_not_know_the_service_needs_apply_and_publish()
    {
        var agent = new AgentAnswer("storage", AgentReach.Reachable, "https://storage.home.arpa:8555/healthz", null, null, 3);

        var cause = Assert.Single(DoctorDiagnosis.Causes(DoctorFacts.Alert("unrecognized name", agent)));

        Assert.Contains("it does not know the service (its fleet state is version 3)", cause, StringComparison.Ordinal);
        Assert.Contains("kith publish", cause, StringComparison.Ordinal);
    }

    [Fact]
    public void A_machine_without_an_agent_points_to_the_out_folder()
    {
        var cause = Assert.Single(DoctorDiagnosis.Causes(DoctorFacts.Alert("unrecognized name", AgentAnswer.NoAgent("storage"))));

        Assert.Contains("storage has no enrolled agent", cause, StringComparison.Ordinal);
        Assert.Contains("out/storage/", cause, StringComparison.Ordinal);
    }

    [Fact]
    public void An_alert_for_a_name_no_service_has_says_to_add_it_to_the_inventory()
    {
        var target = new DoctorTarget("ghost.home.arpa", null, null, InFleetZone: true);
        var facts = DoctorFacts.Alert("unrecognized name", null, target);

        var cause = Assert.Single(DoctorDiagnosis.Causes(facts));

        Assert.False(DoctorDiagnosis.NeedsAgent(facts));
        Assert.Contains("ghost.home.arpa is in no service of the inventory", cause, StringComparison.Ordinal);
        Assert.Contains("/etc/kith/kith.yaml", cause, StringComparison.Ordinal);
    }

    [Fact]
    public void Another_alert_is_a_failed_handshake_not_a_missing_certificate()
    {
        var cause = Assert.Single(DoctorDiagnosis.Causes(DoctorFacts.Alert("protocol version", null)));

        Assert.StartsWith("the TLS handshake with 100.64.0.10:443 failed", cause, StringComparison.Ordinal);
    }

    [Fact]
    public void An_expired_certificate_names_its_end_and_the_agent_that_should_have_renewed_it()
    {
        var facts = DoctorFacts.Healthy() with { Context = DoctorFacts.Context with { Now = Later } };

        var cause = Assert.Single(DoctorDiagnosis.Causes(facts));

        Assert.True(DoctorDiagnosis.NeedsAgent(facts));
        Assert.StartsWith("expired certificate: the certificate for music.home.arpa expired 2026-06-15 12:00:00Z (7 day(s) ago)", cause, StringComparison.Ordinal);
        Assert.Contains("the agent on storage should have renewed it (service navidrome)", cause, StringComparison.Ordinal);
    }

    [Fact]
    public void An_expired_certificate_while_the_agent_holds_a_newer_one_means_reload_the_proxy()
    {
        var facts = DoctorFacts.Healthy() with
        {
            Context = DoctorFacts.Context with { Now = Later },
            Agent = DoctorFacts.Reachable("ok", new DateTimeOffset(2026, 6, 27, 12, 0, 0, TimeSpan.Zero)),
        };

        var cause = Assert.Single(DoctorDiagnosis.Causes(facts));

        Assert.Contains("and it did (its certificate is valid until 2026-06-27 12:00:00Z, in /var/lib/kith/music): the proxy still serves the old one; reload it", cause, StringComparison.Ordinal);
    }

    [Fact]
    public void A_certificate_past_its_renewal_point_is_not_being_renewed()
    {
        var facts = DoctorFacts.Healthy() with { Context = DoctorFacts.Context with { Now = new DateTimeOffset(2026, 6, 14, 0, 0, 0, TimeSpan.Zero) } };

        var cause = Assert.Single(DoctorDiagnosis.Causes(facts));

        Assert.StartsWith("not renewed: the certificate for music.home.arpa should have been renewed from 2026-06-13 04:00:00Z", cause, StringComparison.Ordinal);
    }

    [Fact]
    public void A_wrong_name_lists_the_certificates_names_and_whose_they_are()
    {
        var facts = DoctorFacts.Healthy() with
        {
            Certificate = DoctorFacts.Leaf with { DnsNames = ["photos.home.arpa", "img.home.arpa"] },
            NameMatches = false,
            ServedNamesOwner = "service immich on storage",
        };

        var cause = Assert.Single(DoctorDiagnosis.Causes(facts));

        Assert.StartsWith("wrong name: the certificate served for music.home.arpa names photos.home.arpa, img.home.arpa (those are the names of service immich on storage)", cause, StringComparison.Ordinal);
        Assert.Contains("belongs to service navidrome on storage", cause, StringComparison.Ordinal);
    }

    [Fact]
    public void A_self_signed_certificate_is_an_untrusted_issuer()
    {
        var facts = DoctorFacts.Healthy() with
        {
            Certificate = DoctorFacts.Leaf with { SelfSigned = true, ChainsToRoot = false, Subject = "CN=localhost", Issuer = "CN=localhost", ChainProblem = "untrusted root" },
            NameMatches = false,
        };

        var causes = DoctorDiagnosis.Causes(facts);

        Assert.StartsWith("untrusted issuer: the server presents a self-signed certificate (subject CN=localhost), not one issued under the kith Root", causes[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Another_cas_certificate_names_that_ca()
    {
        var facts = DoctorFacts.Healthy() with { Certificate = DoctorFacts.Leaf with { ChainsToRoot = false, Issuer = "CN=R11, O=Let's Encrypt" } };

        var cause = Assert.Single(DoctorDiagnosis.Causes(facts));

        Assert.StartsWith("untrusted issuer: the server presents a certificate issued by CN=R11, O=Let's Encrypt", cause, StringComparison.Ordinal);
    }

    [Fact]
    public void A_leaf_sent_without_its_host_ca_is_an_incomplete_chain_not_another_ca()
    {
        var facts = DoctorFacts.Healthy() with { Certificate = DoctorFacts.Leaf with { ChainsToRoot = false, IntermediatesSent = false } };

        var cause = Assert.Single(DoctorDiagnosis.Causes(facts));

        Assert.StartsWith("incomplete chain: the server sent only the certificate for music.home.arpa, issued by O=kith home.arpa, CN=kith Host CA storage", cause, StringComparison.Ordinal);
        Assert.Contains("fullchain.pem rather than cert.pem", cause, StringComparison.Ordinal);
    }

    [Fact]
    public void A_name_missing_from_the_inventory_and_the_fleet_dns_says_add_it()
    {
        var cause = Assert.Single(DoctorDiagnosis.Causes(DoctorFacts.MissingFromFleetDns(new DoctorTarget("ghost.home.arpa", null, null, true))));

        Assert.StartsWith("missing DNS record: ghost.home.arpa is not in the inventory", cause, StringComparison.Ordinal);
        Assert.Contains("add it to a service's endpoints in /etc/kith/kith.yaml", cause, StringComparison.Ordinal);
    }

    [Fact]
    public void A_name_in_the_inventory_missing_from_the_fleet_dns_says_apply_publish_and_check_the_dns_machine()
    {
        var cause = Assert.Single(DoctorDiagnosis.Causes(DoctorFacts.MissingFromFleetDns(DoctorFacts.Music)));

        Assert.StartsWith("missing DNS record: music.home.arpa is in the inventory (service navidrome on storage)", cause, StringComparison.Ordinal);
        Assert.Contains("check the agent on gateway", cause, StringComparison.Ordinal);
    }

    [Fact]
    public void A_name_outside_the_fleet_zones_is_not_served_by_the_fleet_dns()
    {
        var cause = Assert.Single(DoctorDiagnosis.Causes(DoctorFacts.MissingFromFleetDns(DoctorFacts.Music with { Name = "music.example.org", InFleetZone = false })));

        Assert.Contains("is outside the fleet zones (home.arpa)", cause, StringComparison.Ordinal);
    }

    [Fact]
    public void A_fleet_dns_that_does_not_answer_names_the_dns_machine()
    {
        var facts = DoctorFacts.Healthy() with { FleetDns = new DnsLookup(DnsOutcome.ServerFailed, [], "100.64.0.53:53 did not answer within 5 s") };

        var cause = Assert.Single(DoctorDiagnosis.Causes(facts));

        Assert.Contains("is the agent on gateway running with dns_listen?", cause, StringComparison.Ordinal);
    }

    [Fact]
    public void A_refused_connection_means_nothing_listens()
    {
        var facts = DoctorFacts.Healthy() with { Tcp = new TcpConnect(TcpOutcome.Refused, DoctorFacts.Server, "refused"), Tls = null, Certificate = null };

        var cause = Assert.Single(DoctorDiagnosis.Causes(facts));

        Assert.StartsWith("connection refused: nothing listens on 100.64.0.10:443: is the proxy (nginx or caddy) on storage running", cause, StringComparison.Ordinal);
    }

    [Fact]
    public void A_timeout_names_the_address_and_the_wait()
    {
        var facts = DoctorFacts.Healthy() with { Tcp = new TcpConnect(TcpOutcome.TimedOut, new IPEndPoint(IPAddress.Parse("100.64.0.99"), 443), "timeout"), Tls = null, Certificate = null };

        var cause = Assert.Single(DoctorDiagnosis.Causes(facts));

        Assert.StartsWith("timeout: 100.64.0.99:443 did not answer within 5 s", cause, StringComparison.Ordinal);
    }

    [Fact]
    public void A_revoked_certificate_is_a_cause()
    {
        var facts = DoctorFacts.Healthy() with { Ocsp = new OcspStatus(CheckResult.Fail(DoctorCheck.Ocsp, "revoked"), new DateTimeOffset(2026, 6, 9, 8, 0, 0, TimeSpan.Zero)) };

        var cause = Assert.Single(DoctorDiagnosis.Causes(facts));

        Assert.StartsWith("revoked certificate: the certificate for music.home.arpa (serial 0a1b2c) was revoked 2026-06-09 08:00:00Z", cause, StringComparison.Ordinal);
    }
}
