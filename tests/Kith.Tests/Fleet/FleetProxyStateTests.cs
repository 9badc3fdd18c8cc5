using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Kith.Fleet;
using Kith.Inventory;
using Kith.Operator;
using Kith.Pki;
using Microsoft.Extensions.Time.Testing;

namespace Kith.Tests.Fleet;

/// <summary>The proxy parts of the fleet state: settings, per-endpoint fields, the edge's copies of public services.</summary>
public class FleetProxyStateTests
{
    private const string Inventory = """
        domain: home.arpa
        machines:
          storage: { addresses: [100.64.0.10, "fd7a:115c:a1e0::10"] }
          edge: { addresses: [100.64.0.1], roles: [edge] }
        services:
          music:
            machine: storage
            endpoints: [music.home.arpa]
            aliases: [tunes.home.arpa]
            upstream: https://music.home.arpa:4533/app
            proxy: nginx
            mtls: true
            public: true
            files: { dir: /srv/tls/music, key: /etc/music/key.pem }
            reload: [systemctl, reload, music]
          photos:
            machine: storage
            endpoints: [photos.home.arpa]
            upstream: http://127.0.0.1:2342
            proxy: caddy
          backup:
            machine: storage
            kind: client
          gate:
            machine: edge
            endpoints: [gate.home.arpa]
            upstream: http://127.0.0.1:8000
            proxy: nginx
            public: true
        proxy:
          real_ip_from: [100.64.0.0/10, "fd7a:115c:a1e0::/48"]
          https_port: 8443
          http3: on
          early_data: false
        """;

    private static FleetState Build(string yaml = Inventory) =>
        FleetStateBuilder.Build(InventoryLoader.Parse(yaml, "kith.yaml"), _ => null, "ROOT-PEM", 1, TestPublisher.Start);

    [Fact]
    public void The_proxy_block_goes_into_the_state()
    {
        var proxy = Build().Proxy!;

        Assert.Equal(["100.64.0.0/10", "fd7a:115c:a1e0::/48"], proxy.RealIpFrom);
        Assert.Equal((8443, 80, "on", false, true), (proxy.HttpsPort, proxy.HttpPort, proxy.Http3, proxy.EarlyData, proxy.Ktls));
    }

    [Fact]
    public void Without_a_proxy_block_the_state_carries_the_defaults()
    {
        var proxy = Build("domain: home.arpa\n").Proxy!;

        Assert.Empty(proxy.RealIpFrom);
        Assert.Equal((443, 80, "auto", true, true), (proxy.HttpsPort, proxy.HttpPort, proxy.Http3, proxy.EarlyData, proxy.Ktls));
    }

    [Fact]
    public void Each_endpoint_carries_its_upstream_proxy_mtls_and_edge()
    {
        var storage = Build().Machines.Single(m => m.Name == "storage");

        Assert.Equal(["backup", "music", "photos"], storage.Endpoints.Select(e => e.Service));
        var music = storage.Endpoints[1];
        Assert.Equal(("https://music.home.arpa:4533/app", "nginx", true, "edge", null), (music.Upstream, music.Proxy, music.Mtls, music.Edge, music.Backend));
        var photos = storage.Endpoints[2];
        Assert.Equal(("http://127.0.0.1:2342", "caddy", null, null, null), (photos.Upstream, photos.Proxy, photos.Mtls, photos.Edge, photos.Backend));
        var backup = storage.Endpoints[0];
        Assert.Equal((null, null, null, null), (backup.Upstream, backup.Proxy, backup.Mtls, backup.Edge));
    }

    [Fact]
    public void The_edge_gets_a_plain_copy_of_each_public_service_of_another_machine_in_service_order_a_client_one_too_for_mtls()
    {
        var edge = Build().Machines.Single(m => m.Name == "edge");

        Assert.Equal(["gate", "music"], edge.Endpoints.Select(e => e.Service));
        var gate = edge.Endpoints[0];
        Assert.Equal(("edge", null), (gate.Edge, gate.Backend));
        var copy = edge.Endpoints[1];
        Assert.Equal(
            new FleetEndpoint("music", copy.Names, "both", Folder: "/var/lib/acme/music.home.arpa", Mtls: true, Backend: "storage"),
            copy);
        Assert.Equal(["music.home.arpa", "tunes.home.arpa"], copy.Names);
    }

    [Fact]
    public void The_edge_may_issue_the_names_of_the_public_services_it_serves()
    {
        var inventory = InventoryLoader.Parse(Inventory, "kith.yaml");

        Assert.Equal(
            ["edge.home.arpa", "gate.home.arpa", "music.home.arpa", "tunes.home.arpa"],
            FleetPolicy.PermittedNames(inventory, inventory.FindMachine("edge")!));
        Assert.DoesNotContain("gate.home.arpa", FleetPolicy.PermittedNames(inventory, inventory.FindMachine("storage")!));
        Assert.Contains("music.home.arpa", FleetPolicy.ConstraintsFor(inventory, inventory.FindMachine("edge")!)!.PermittedDnsNames);
    }

    [Fact]
    public void A_state_with_proxy_fields_survives_signing_and_verification()
    {
        using var fleet = new TestPublisher();
        var state = Build() with { TrustBundle = Pem.Encode("CERTIFICATE", fleet.Root.Certificate.RawData) };

        var verdict = FleetStateVerifier.Verify(FleetStateSigner.Encode(FleetStateSigner.Sign(state, fleet.Key, fleet.Certificate)), fleet.Root.Certificate, null, new FakeTimeProvider(TestPublisher.Start));

        var accepted = Assert.IsType<FleetStateVerdict.Accepted>(verdict).State;
        Assert.Equal(state.Proxy!.RealIpFrom, accepted.Proxy!.RealIpFrom);
        Assert.Equal(state.Proxy with { RealIpFrom = accepted.Proxy.RealIpFrom }, accepted.Proxy);
        var copy = accepted.Machines.Single(m => m.Name == "edge").Endpoints[1];
        Assert.Equal(state.Machines.Single(m => m.Name == "edge").Endpoints[1] with { Names = copy.Names }, copy);
        Assert.Equal("https://music.home.arpa:4533/app", accepted.Machines.Single(m => m.Name == "storage").Endpoints[1].Upstream);
    }

    [Fact]
    public void A_state_written_before_the_proxy_fields_still_reads_and_verifies()
    {
        using var fleet = new TestPublisher();
        var json = JsonNode.Parse(FleetStateSigner.Serialize(fleet.State(3)))!.AsObject();
        json.Remove("proxy");
        var endpoint = json["machines"]![0]!["endpoints"]![0]!.AsObject();
        foreach (var key in new[] { "upstream", "proxy", "mtls", "edge", "backend" })
        {
            Assert.True(endpoint.Remove(key), key);
        }

        var payload = Encoding.UTF8.GetBytes(json.ToJsonString());
        var signature = fleet.Key.SignData(payload, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        var envelope = new SignedFleetState(Convert.ToBase64String(payload), Convert.ToBase64String(signature), Pem.Encode("CERTIFICATE", fleet.Certificate.RawData));

        var verdict = FleetStateVerifier.Verify(FleetStateSigner.Encode(envelope), fleet.Root.Certificate, 2, new FakeTimeProvider(TestPublisher.Start));

        var accepted = Assert.IsType<FleetStateVerdict.Accepted>(verdict).State;
        Assert.Null(accepted.Proxy);
        var web = Assert.Single(Assert.Single(accepted.Machines).Endpoints);
        Assert.Equal(new FleetEndpoint("web", ["web.home.arpa"], "server") with { Names = web.Names }, web);
    }
}
