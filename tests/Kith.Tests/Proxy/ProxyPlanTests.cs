using System.Net;
using Kith.Fleet;
using Kith.Inventory;
using Kith.Proxy;
using Kith.Tests.Fleet;

namespace Kith.Tests.Proxy;

/// <summary>The render input of one machine's proxy config, built from the fleet state.</summary>
public class ProxyPlanTests
{
    private const string Inventory = """
        domain: home.arpa
        machines:
          storage: { addresses: [100.64.0.10, "fd7a:115c:a1e0::10"] }
          edge: { addresses: [100.64.0.1], roles: [edge] }
        services:
          photos:
            machine: storage
            endpoints: [photos.home.arpa]
            upstream: http://127.0.0.1:2342
            proxy: caddy
          music:
            machine: storage
            endpoints: [music.home.arpa]
            aliases: [tunes.home.arpa]
            upstream: https://music.home.arpa:4533/app/
            proxy: nginx
            mtls: true
            public: true
            files: { dir: /srv/tls/music }
          wiki:
            machine: storage
            endpoints: ["*.wiki.home.arpa"]
            upstream: https://[::1]
            proxy: nginx
          plain:
            machine: storage
            endpoints: [plain.home.arpa]
          gate:
            machine: edge
            endpoints: [gate.home.arpa]
            upstream: http://127.0.0.1:8000
            proxy: nginx
        proxy:
          real_ip_from: [100.64.0.0/10]
          https_port: 8443
          http3: off
        """;

    private static readonly ProxyPaths Paths = new("/var/lib/kith/root-ca.pem", null, "http://127.0.0.1:8580/ocsp", []);

    private static FleetState State(string yaml = Inventory) =>
        FleetStateBuilder.Build(InventoryLoader.Parse(yaml, "kith.yaml"), _ => null, "ROOT", 1, TestPublisher.Start);

    [Fact]
    public void A_machine_gets_its_sites_for_the_format_in_service_order()
    {
        var config = ProxyPlan.ForMachine(State(), "storage", ProxyFormat.Nginx, Paths);

        Assert.Equal("storage", config.Machine);
        Assert.Equal(["music", "wiki"], config.Sites.Select(s => s.Service));
        Assert.Equal(["photos"], ProxyPlan.ForMachine(State(), "storage", ProxyFormat.Caddy, Paths).Sites.Select(s => s.Service));
        Assert.Equal(("/var/lib/kith/root-ca.pem", "http://127.0.0.1:8580/ocsp"), (config.RootCertificate, config.OcspResponder));
        Assert.Empty(config.ListenAddresses);
    }

    [Fact]
    public void The_settings_come_from_the_state()
    {
        var settings = ProxyPlan.ForMachine(State(), "storage", ProxyFormat.Nginx, Paths).Settings;

        Assert.Equal([IPNetwork.Parse("100.64.0.0/10")], settings.RealIpFrom);
        Assert.Equal((8443, 80, Http3Mode.Off, true, true), (settings.HttpsPort, settings.HttpPort, settings.Http3, settings.EarlyData, settings.Ktls));
    }

    [Fact]
    public void A_state_without_proxy_settings_renders_with_the_defaults() =>
        Assert.Equal(ProxySettings.Default, ProxyPlan.ForMachine(State() with { Proxy = null }, "storage", ProxyFormat.Nginx, Paths).Settings);

    [Fact]
    public void A_site_names_its_files_in_the_endpoint_folder_and_its_https_upstream()
    {
        var music = ProxyPlan.ForMachine(State(), "storage", ProxyFormat.Nginx, Paths).Sites[0];

        Assert.Equal(["music.home.arpa", "tunes.home.arpa"], music.Names);
        Assert.Equal(("/srv/tls/music/fullchain.pem", "/srv/tls/music/key.pem", "/srv/tls/music/chain.pem"), (music.Fullchain, music.Key, music.Chain));
        Assert.True(music.RequireClientCertificate);
        Assert.Null(music.Backend);
        Assert.Equal(["music.home.arpa:4533"], music.Upstream.Servers);
        Assert.Equal((true, "music.home.arpa", "/app/"), (music.Upstream.Tls, music.Upstream.TlsName, music.Upstream.Path));
    }

    [Fact]
    public void An_ip_upstream_has_no_tls_name_the_default_port_and_ipv6_in_brackets()
    {
        var wiki = ProxyPlan.ForMachine(State(), "storage", ProxyFormat.Nginx, Paths).Sites[1];

        Assert.Equal(["*.wiki.home.arpa"], wiki.Names);
        Assert.Equal("/var/lib/acme/_.wiki.home.arpa/fullchain.pem", wiki.Fullchain);
        Assert.Equal(["[::1]:443"], wiki.Upstream.Servers);
        Assert.Equal((true, null, "/"), (wiki.Upstream.Tls, wiki.Upstream.TlsName, wiki.Upstream.Path));
        var photos = ProxyPlan.ForMachine(State(), "storage", ProxyFormat.Caddy, Paths).Sites[0];
        Assert.Equal(["127.0.0.1:2342"], photos.Upstream.Servers);
        Assert.Equal((false, null, "/"), (photos.Upstream.Tls, photos.Upstream.TlsName, photos.Upstream.Path));
        Assert.False(photos.RequireClientCertificate);
    }

    [Theory]
    [InlineData(ProxyFormat.Nginx)]
    [InlineData(ProxyFormat.Caddy)]
    public void The_edge_forwards_a_public_service_to_every_address_of_its_backend_whatever_the_format(ProxyFormat format)
    {
        var config = ProxyPlan.ForMachine(State(), "edge", format, Paths);

        var music = config.Sites.Single(s => s.Service == "music");
        Assert.Equal("storage", music.Backend);
        Assert.True(music.RequireClientCertificate);
        Assert.Equal("/var/lib/acme/music.home.arpa/key.pem", music.Key);
        Assert.Equal(["100.64.0.10:8443", "[fd7a:115c:a1e0::10]:8443"], music.Upstream.Servers);
        Assert.Equal((true, null, "/"), (music.Upstream.Tls, music.Upstream.TlsName, music.Upstream.Path));
        Assert.Equal(format == ProxyFormat.Nginx ? ["gate", "music"] : ["music"], config.Sites.Select(s => s.Service));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("/")]
    public void No_files_root_leaves_the_folders_as_they_are(string? root) =>
        Assert.Equal("/srv/tls/music/key.pem", ProxyPlan.ForMachine(State(), "storage", ProxyFormat.Nginx, Paths with { FilesRoot = root }).Sites[0].Key);

    [Fact]
    public void A_files_root_prefixes_every_folder()
    {
        var config = ProxyPlan.ForMachine(State(), "storage", ProxyFormat.Nginx, Paths with { FilesRoot = "/tmp/kith-files", ListenAddresses = ["127.0.0.1", "::1"] });

        Assert.Equal("/tmp/kith-files/srv/tls/music/fullchain.pem", config.Sites[0].Fullchain);
        Assert.Equal("/tmp/kith-files/var/lib/acme/_.wiki.home.arpa/chain.pem", config.Sites[1].Chain);
        Assert.Equal(["127.0.0.1", "::1"], config.ListenAddresses);
    }

    [Fact]
    public void An_unknown_machine_is_an_error_listing_the_machines() =>
        Assert.Contains("machines: edge, storage", Assert.Throws<KithException>(() => ProxyPlan.ForMachine(State(), "nas", ProxyFormat.Nginx, Paths)).Message, StringComparison.Ordinal);

    [Theory]
    [InlineData("http://127.0.0.1:1/;evil")]
    [InlineData("http://127.0.0.1:1/}")]
    [InlineData("http://127.0.0.1:1/\nevil")]
    [InlineData("http://127.0.0.1:1/$host")]
    [InlineData("http://127.0.0.1:1/\0")]
    [InlineData("http://127.0.0.1:1/?a=1")]
    public void A_state_from_elsewhere_with_an_injected_upstream_is_refused(string upstream) =>
        Assert.Throws<KithException>(() => ProxyPlan.ForMachine(Tampered(e => e with { Upstream = upstream }), "storage", ProxyFormat.Nginx, Paths));

    [Theory]
    [InlineData("/srv/a;b")]
    [InlineData("/srv/a}b")]
    [InlineData("/srv/a\nb")]
    [InlineData("/srv/$x")]
    [InlineData("/srv/../etc")]
    [InlineData("/srv/\0")]
    public void A_state_from_elsewhere_with_an_injected_folder_is_refused(string folder) =>
        Assert.Throws<KithException>(() => ProxyPlan.ForMachine(Tampered(e => e with { Folder = folder }), "storage", ProxyFormat.Nginx, Paths));

    [Theory]
    [InlineData("music.home.arpa;")]
    [InlineData("music}.home.arpa")]
    [InlineData("music\n.home.arpa")]
    [InlineData("$music.home.arpa")]
    [InlineData("music\0.home.arpa")]
    public void A_state_from_elsewhere_with_an_injected_name_is_refused(string name) =>
        Assert.Throws<KithException>(() => ProxyPlan.ForMachine(Tampered(e => e with { Names = [name] }), "storage", ProxyFormat.Nginx, Paths));

    [Theory]
    [InlineData("relative/root.pem", null)]
    [InlineData("/etc/kith/root;.pem", null)]
    [InlineData("/var/lib/kith/root-ca.pem", "http://127.0.0.1:8580/ocsp;")]
    public void Injected_paths_are_refused(string root, string? ocsp) =>
        Assert.Throws<KithException>(() => ProxyPlan.ForMachine(State(), "storage", ProxyFormat.Nginx, Paths with { RootCertificate = root, OcspResponder = ocsp }));

    // The music endpoint of storage changed the way a forged or hand-edited state could change it.
    private static FleetState Tampered(Func<FleetEndpoint, FleetEndpoint> change)
    {
        var state = State();
        return state with
        {
            Machines = [.. state.Machines.Select(m => m with { Endpoints = [.. m.Endpoints.Select(e => e.Service == "music" && e.Backend is null ? change(e) : e)] })],
        };
    }
}
