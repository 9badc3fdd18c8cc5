using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Kith.Dns;
using Kith.Fleet;
using Kith.Tests.Fleet;
using Microsoft.Extensions.Time.Testing;

namespace Kith.Tests.Dns;

/// <summary>States signed before dns.ttl, extra zones and per-record TTLs existed still verify and build zones.</summary>
public class ZoneStateCompatibilityTests
{
    [Fact]
    public void A_state_without_dns_ttl_zones_or_record_ttls_is_accepted_and_means_300_seconds_and_only_the_domain()
    {
        using var fleet = new TestPublisher();
        var payload = JsonNode.Parse(FleetStateSigner.Serialize(fleet.State(3) with { DnsTtl = 60, Zones = ["lab.home.arpa"] }))!.AsObject();
        Assert.True(payload.Remove("dns_ttl"));
        Assert.True(payload.Remove("zones"));
        foreach (var record in payload["dns_records"]!.AsArray())
        {
            Assert.True(record!.AsObject().Remove("ttl"));
        }

        var verdict = FleetStateVerifier.Verify(SignRaw(fleet, payload.ToJsonString()), fleet.Root.Certificate, lastAcceptedVersion: 2, new FakeTimeProvider(TestPublisher.Start.AddDays(1)));

        var state = Assert.IsType<FleetStateVerdict.Accepted>(verdict).State;
        Assert.Null(state.DnsTtl);
        Assert.Null(state.Zones);
        Assert.All(state.DnsRecords, r => Assert.Null(r.Ttl));
        var zone = Assert.Single(FleetZones.Build(state));
        Assert.Equal("home.arpa", zone.Apex);
        Assert.All(zone.Records, r => Assert.Equal(300, r.Ttl));
        Assert.Contains(new ZoneRecord("web.home.arpa", "CNAME", 300, "storage.home.arpa"), zone.Records);
    }

    [Fact]
    public void A_state_with_dns_fields_round_trips_through_the_signed_envelope()
    {
        using var fleet = new TestPublisher();
        var state = fleet.State(5) with
        {
            DnsTtl = 900,
            Zones = ["lab.home.arpa"],
            DnsRecords = [new FleetDnsRecord("home.arpa", "TXT", "say \"hi\"", Ttl: 60)],
        };

        var verdict = FleetStateVerifier.Verify(FleetStateSigner.Encode(FleetStateSigner.Sign(state, fleet.Key, fleet.Certificate)), fleet.Root.Certificate, null, new FakeTimeProvider(TestPublisher.Start.AddDays(1)));

        var read = Assert.IsType<FleetStateVerdict.Accepted>(verdict).State;
        Assert.Equal(900, read.DnsTtl);
        Assert.Equal(["lab.home.arpa"], read.Zones!);
        Assert.Equal([new FleetDnsRecord("home.arpa", "TXT", "say \"hi\"", 60)], read.DnsRecords);
    }

    private static byte[] SignRaw(TestPublisher fleet, string payloadJson)
    {
        var payload = Encoding.UTF8.GetBytes(payloadJson);
        var signature = fleet.Key.SignData(payload, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        return FleetStateSigner.Encode(new SignedFleetState(Convert.ToBase64String(payload), Convert.ToBase64String(signature), Kith.Pki.Pem.Encode("CERTIFICATE", fleet.Certificate.RawData)));
    }
}
