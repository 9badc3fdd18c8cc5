using System.Net;
using Kith.Inventory;
using Kith.Proxy;

namespace Kith.Tests.Proxy;

public class CaddyConfigTests
{
    private static readonly ProxySite Music = new(
        "music",
        ["music.home.arpa", "*.apps.home.arpa"],
        "/var/lib/kith/music.home.arpa/fullchain.pem",
        "/var/lib/kith/music.home.arpa/key.pem",
        "/var/lib/kith/music.home.arpa/chain.pem",
        new ProxyUpstream(["127.0.0.1:4533"], Tls: false, TlsName: null, Path: "/"),
        RequireClientCertificate: false,
        Backend: null);

    [Fact]
    public void A_site_gets_kiths_files_tls_12_and_13_its_upstream_and_a_redirect_and_automatic_https_is_off()
    {
        var text = CaddyConfig.Render(Config([Music]));

        Assert.StartsWith("# Written by kith for machine storage", text, StringComparison.Ordinal);
        Assert.Contains("\tauto_https off\n", text, StringComparison.Ordinal);
        Assert.Contains("https://music.home.arpa:443, https://*.apps.home.arpa:443 {\n", text, StringComparison.Ordinal);
        Assert.Contains("\ttls /var/lib/kith/music.home.arpa/fullchain.pem /var/lib/kith/music.home.arpa/key.pem {\n\t\tprotocols tls1.2 tls1.3\n\t}\n", text, StringComparison.Ordinal);
        Assert.Contains("\treverse_proxy 127.0.0.1:4533 {\n\t\theader_up X-Real-IP {remote_host}\n\t}\n", text, StringComparison.Ordinal);
        Assert.Contains("http://music.home.arpa:80, http://*.apps.home.arpa:80 {\n\tredir https://{host}{uri} 301\n}\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("client_auth", text, StringComparison.Ordinal);
        Assert.DoesNotContain("rewrite *", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Plain_http_to_any_other_name_is_aborted_and_http3_follows_the_setting()
    {
        var on = CaddyConfig.Render(Config([Music]));
        var off = CaddyConfig.Render(Config([Music]) with { Settings = ProxySettings.Default with { Http3 = Http3Mode.Off } });

        Assert.EndsWith("http://:80 {\n\tabort\n}\n", on, StringComparison.Ordinal);
        Assert.Contains("\t\tprotocols h1 h2 h3\n", on, StringComparison.Ordinal);
        Assert.Contains("\t\tprotocols h1 h2\n", off, StringComparison.Ordinal);
    }

    [Fact]
    public void Other_ports_are_kept_in_the_redirect_and_listen_addresses_become_bind_lines()
    {
        var config = Config([Music]) with
        {
            Settings = ProxySettings.Default with { HttpsPort = 8443, HttpPort = 8080 },
            ListenAddresses = ["100.64.0.10", "fd7a:115c:a1e0::10"],
        };

        var text = CaddyConfig.Render(config);

        Assert.Contains("\thttps_port 8443\n", text, StringComparison.Ordinal);
        Assert.Contains("https://music.home.arpa:8443", text, StringComparison.Ordinal);
        Assert.Contains("\tredir https://{host}:8443{uri} 301\n", text, StringComparison.Ordinal);
        Assert.Equal(3, text.Split("\tbind 100.64.0.10 fd7a:115c:a1e0::10\n").Length - 1);
    }

    [Fact]
    public void Mtls_requires_a_client_certificate_verified_against_the_root()
    {
        var text = CaddyConfig.Render(Config([Music with { RequireClientCertificate = true }]));

        Assert.Contains("\t\tclient_auth {\n\t\t\tmode require_and_verify\n\t\t\ttrusted_ca_cert_file /var/lib/kith/root-ca.pem\n\t\t}\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Double_tls_and_edge_upstreams_verify_the_backend_against_the_root_with_the_named_or_requested_host()
    {
        var wiki = Music with { Service = "wiki", Names = ["wiki.home.arpa"], Upstream = new(["wiki.internal:8443"], true, "wiki.internal", "/") };
        var edge = Music with { Service = "photos", Names = ["photos.home.arpa"], Backend = "nas", Upstream = new(["100.64.0.2:443", "[fd7a:115c:a1e0::2]:443"], true, null, "/") };

        var text = CaddyConfig.Render(Config([edge, wiki]));

        Assert.Contains("# photos (forwarded to nas)\n", text, StringComparison.Ordinal);
        Assert.Contains("\treverse_proxy 100.64.0.2:443 [fd7a:115c:a1e0::2]:443 {\n", text, StringComparison.Ordinal);
        Assert.Contains("\t\ttransport http {\n\t\t\ttls\n\t\t\ttls_trusted_ca_certs /var/lib/kith/root-ca.pem\n\t\t\ttls_server_name {host}\n\t\t}\n", text, StringComparison.Ordinal);
        Assert.Contains("\t\t\ttls_server_name wiki.internal\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("tls_client_auth", text, StringComparison.Ordinal);
    }

    [Fact]
    public void An_edge_site_of_an_mtls_service_shows_its_own_certificate_to_the_backend()
    {
        var edge = Music with { Service = "photos", Names = ["photos.home.arpa"], Backend = "nas", RequireClientCertificate = true, Upstream = new(["100.64.0.2:443"], true, null, "/") };

        var text = CaddyConfig.Render(Config([edge]));

        Assert.Contains($"\t\t\ttls_client_auth {edge.Fullchain} {edge.Key}\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void An_upstream_path_is_put_before_the_request_path_and_trusted_networks_keep_their_forwarded_for()
    {
        var config = Config([Music with { Upstream = new(["127.0.0.1:4533"], false, null, "/app/") }]) with
        {
            Settings = ProxySettings.Default with { RealIpFrom = [IPNetwork.Parse("100.64.0.0/10"), IPNetwork.Parse("fd7a:115c:a1e0::/48")] },
        };

        var text = CaddyConfig.Render(config);

        Assert.Contains("\trewrite * /app{uri}\n", text, StringComparison.Ordinal);
        Assert.Contains("\t\ttrusted_proxies 100.64.0.0/10 fd7a:115c:a1e0::/48\n", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(";")]
    [InlineData("}")]
    [InlineData("\n")]
    [InlineData("$")]
    [InlineData("\0")]
    [InlineData(" ")]
    public void A_name_server_or_tls_name_with_syntax_is_refused(string bad)
    {
        var badName = Music with { Names = [$"music.home.arpa{bad}import /etc/passwd"] };
        var badServer = Music with { Upstream = Music.Upstream with { Servers = [$"127.0.0.1:4533{bad}"] } };
        var badTlsName = Music with { Upstream = new(["127.0.0.1:4533"], true, $"x{bad}y", "/") };
        var badBackend = Music with { Backend = $"nas{bad}" };

        Assert.Contains("proxy site music name", Assert.Throws<KithException>(() => CaddyConfig.Render(Config([badName]))).Message, StringComparison.Ordinal);
        Assert.Contains("upstream server", Assert.Throws<KithException>(() => CaddyConfig.Render(Config([badServer]))).Message, StringComparison.Ordinal);
        Assert.Contains("upstream TLS name", Assert.Throws<KithException>(() => CaddyConfig.Render(Config([badTlsName]))).Message, StringComparison.Ordinal);
        Assert.Contains("backend", Assert.Throws<KithException>(() => CaddyConfig.Render(Config([badBackend]))).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/var/lib/kith/../../etc/shadow")]
    [InlineData("/var/lib/kith/music;/key.pem")]
    [InlineData("relative/key.pem")]
    [InlineData("/var/lib/kith/{$HOME}/key.pem")]
    public void A_certificate_or_root_path_that_is_not_a_clean_absolute_path_is_refused(string bad)
    {
        Assert.Contains("proxy site music key", Assert.Throws<KithException>(() => CaddyConfig.Render(Config([Music with { Key = bad }]))).Message, StringComparison.Ordinal);
        Assert.Contains("proxy root certificate", Assert.Throws<KithException>(() => CaddyConfig.Render(Config([Music]) with { RootCertificate = bad })).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_upstream_path_without_a_leading_slash_and_a_listen_address_with_syntax_are_refused()
    {
        var badPath = Music with { Upstream = Music.Upstream with { Path = "app" } };

        Assert.Contains("does not start with '/'", Assert.Throws<KithException>(() => CaddyConfig.Render(Config([badPath]))).Message, StringComparison.Ordinal);
        Assert.Contains("proxy listen address", Assert.Throws<KithException>(() => CaddyConfig.Render(Config([Music]) with { ListenAddresses = ["127.0.0.1}"] })).Message, StringComparison.Ordinal);
    }

    private static ProxyConfig Config(IReadOnlyList<ProxySite> sites) =>
        new("storage", sites, ProxySettings.Default, "/var/lib/kith/root-ca.pem", "http://127.0.0.1:8580/ocsp", []);
}
