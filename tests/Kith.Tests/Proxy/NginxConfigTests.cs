using Kith.Inventory;
using Kith.Proxy;
using static Kith.Tests.Proxy.ProxyConfigSamples;

namespace Kith.Tests.Proxy;

public class NginxConfigTests
{
    private static readonly NginxFeatures Debian12 = NginxFeaturesReader.Baseline;

    private static readonly NginxFeatures Mainline = NginxFeaturesReader.Parse(NginxFeaturesReaderTests.Mainline);

    [Fact]
    public void The_sinkhole_rejects_unknown_sni_and_closes_plain_http_on_every_listen_address()
    {
        var sinkhole = Server(NginxConfig.Render(Config(), Debian12), "server_name _;");

        Assert.Contains("listen 192.0.2.10:80 default_server;", sinkhole, StringComparison.Ordinal);
        Assert.Contains("listen [fd00::10]:80 default_server;", sinkhole, StringComparison.Ordinal);
        Assert.Contains("listen 192.0.2.10:443 ssl http2 default_server;", sinkhole, StringComparison.Ordinal);
        Assert.Contains("listen [fd00::10]:443 ssl http2 default_server;", sinkhole, StringComparison.Ordinal);
        Assert.Contains("ssl_reject_handshake on;", sinkhole, StringComparison.Ordinal);
        Assert.Contains("return 444;", sinkhole, StringComparison.Ordinal);
        Assert.DoesNotContain("ssl_certificate", sinkhole, StringComparison.Ordinal);
    }

    [Fact]
    public void No_listen_address_means_every_ipv4_and_ipv6_address()
    {
        var text = NginxConfig.Render(Config(listen: []), Debian12);

        Assert.Contains("listen 443 ssl http2 default_server;", text, StringComparison.Ordinal);
        Assert.Contains("listen [::]:443 ssl http2 default_server;", text, StringComparison.Ordinal);
        Assert.Contains("listen 80;", Server(text, "server_name music.home.arpa navidrome.home.arpa;", https: false), StringComparison.Ordinal);
        Assert.Contains("listen [::]:80;", Server(text, "server_name music.home.arpa navidrome.home.arpa;", https: false), StringComparison.Ordinal);
    }

    [Fact]
    public void A_site_serves_all_its_names_with_its_certificate_tls_1_2_and_1_3_and_no_session_tickets()
    {
        var music = Server(NginxConfig.Render(Config(), Debian12), "server_name music.home.arpa navidrome.home.arpa;");

        Assert.Contains("listen 192.0.2.10:443 ssl http2;", music, StringComparison.Ordinal);
        Assert.Contains("ssl_certificate /var/lib/kith/endpoints/music.home.arpa/fullchain.pem;", music, StringComparison.Ordinal);
        Assert.Contains("ssl_certificate_key /var/lib/kith/endpoints/music.home.arpa/key.pem;", music, StringComparison.Ordinal);
        Assert.Contains("ssl_protocols TLSv1.2 TLSv1.3;", music, StringComparison.Ordinal);
        Assert.Contains("ssl_session_tickets off;", music, StringComparison.Ordinal);
        Assert.DoesNotContain("default_server", music, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_tls_server_offers_only_tls_1_2_and_1_3_and_aead_ciphers()
    {
        var text = NginxConfig.Render(Config(), Debian12);

        Assert.Equal(4, Count(text, "ssl_protocols TLSv1.2 TLSv1.3;"));
        Assert.Equal(4, Count(text, $"ssl_ciphers {NginxTls.Ciphers};"));
        Assert.Equal(4, Count(text, "ssl_prefer_server_ciphers on;"));
        Assert.DoesNotContain("TLSv1.1", text, StringComparison.Ordinal);
        Assert.All(NginxTls.Ciphers.Split(':'), cipher => Assert.Matches("^ECDHE-(ECDSA|RSA)-(AES(128|256)-GCM-SHA(256|384)|CHACHA20-POLY1305)$", cipher));
    }

    [Fact]
    public void Debian_12_gets_no_http3_and_the_http2_listen_parameter_even_with_http3_auto()
    {
        var text = NginxConfig.Render(Config(), Debian12);

        Assert.DoesNotContain("quic", text, StringComparison.Ordinal);
        Assert.DoesNotContain("http3", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Alt-Svc", text, StringComparison.Ordinal);
        Assert.DoesNotContain("http2 on;", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_newer_nginx_with_the_v3_module_gets_quic_listeners_alt_svc_and_the_http2_directive()
    {
        var text = NginxConfig.Render(Config(settings: Settings with { HttpsPort = 8443 }), Mainline);
        var music = Server(text, "server_name music.home.arpa navidrome.home.arpa;");
        var sinkhole = Server(text, "server_name _;");

        Assert.Contains("listen 192.0.2.10:8443 ssl;", music, StringComparison.Ordinal);
        Assert.Contains("listen [fd00::10]:8443 quic;", music, StringComparison.Ordinal);
        Assert.Contains("http2 on;", music, StringComparison.Ordinal);
        Assert.Contains("http3 on;", music, StringComparison.Ordinal);
        Assert.Contains("add_header Alt-Svc 'h3=\":8443\"; ma=86400' always;", music, StringComparison.Ordinal);
        Assert.Contains("listen 192.0.2.10:8443 quic reuseport default_server;", sinkhole, StringComparison.Ordinal);
        Assert.Contains("listen 192.0.2.10:8443 ssl default_server;", sinkhole, StringComparison.Ordinal);
        Assert.DoesNotContain(" http2;", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Http3_off_leaves_quic_out_even_when_nginx_has_it()
    {
        var text = NginxConfig.Render(Config(settings: Settings with { Http3 = Http3Mode.Off }), Mainline);

        Assert.DoesNotContain("quic", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Alt-Svc", text, StringComparison.Ordinal);
        Assert.Contains("http2 on;", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Http3_on_for_an_nginx_without_the_module_is_refused_with_what_to_do()
    {
        var error = Assert.Throws<KithException>(() => NginxConfig.Render(Config(settings: Settings with { Http3 = Http3Mode.On }), Debian12));

        Assert.Contains("http3 is on", error.Message, StringComparison.Ordinal);
        Assert.Contains("--with-http_v3_module", error.Message, StringComparison.Ordinal);
        Assert.Contains("auto or off", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_nginx_older_than_1_19_4_is_refused()
    {
        var error = Assert.Throws<KithException>(() => NginxConfig.Render(Config(), Debian12 with { Version = new Version(1, 18, 0) }));

        Assert.Contains("1.18.0", error.Message, StringComparison.Ordinal);
        Assert.Contains("ssl_reject_handshake", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true, true, true)]
    [InlineData(false, true, false)]
    [InlineData(true, false, false)]
    public void Ktls_is_on_when_the_setting_and_nginx_both_allow_it(bool setting, bool nginx, bool expected)
    {
        var text = NginxConfig.Render(Config(settings: Settings with { Ktls = setting }), Debian12 with { Ktls = nginx });

        Assert.Equal(expected ? 3 : 0, Count(text, "ssl_conf_command Options KTLS;"));
    }

    [Fact]
    public void Early_data_turns_on_0_rtt_and_tells_the_upstream()
    {
        var on = NginxConfig.Render(Config(), Debian12);
        var off = NginxConfig.Render(Config(settings: Settings with { EarlyData = false }), Debian12);

        Assert.Equal(3, Count(on, "ssl_early_data on;"));
        Assert.Equal(3, Count(on, "proxy_set_header Early-Data $ssl_early_data;"));
        Assert.DoesNotContain("early_data", off, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Real_ip_is_trusted_from_the_configured_networks_only()
    {
        var music = Server(NginxConfig.Render(Config(), Debian12), "server_name music.home.arpa navidrome.home.arpa;");
        var untrusting = NginxConfig.Render(Config(settings: Settings with { RealIpFrom = [] }), Debian12);

        Assert.Contains("set_real_ip_from 100.64.0.0/10;", music, StringComparison.Ordinal);
        Assert.Contains("set_real_ip_from fd7a:115c:a1e0::/48;", music, StringComparison.Ordinal);
        Assert.Contains("real_ip_header X-Forwarded-For;", music, StringComparison.Ordinal);
        Assert.Contains("real_ip_recursive on;", music, StringComparison.Ordinal);
        Assert.DoesNotContain("real_ip", untrusting, StringComparison.Ordinal);
    }

    [Fact]
    public void Mtls_requires_a_client_certificate_from_the_root_on_that_site_only()
    {
        var text = NginxConfig.Render(Config(), Debian12);
        var vault = Server(text, "server_name vault.home.arpa;");

        Assert.Contains("ssl_client_certificate /var/lib/kith/root-ca.pem;", vault, StringComparison.Ordinal);
        Assert.Contains("ssl_verify_client on;", vault, StringComparison.Ordinal);
        Assert.Contains("ssl_verify_depth 2;", vault, StringComparison.Ordinal);
        Assert.Equal(1, Count(text, "ssl_verify_client on;"));
    }

    [Fact]
    public void A_plain_upstream_gets_the_forwarding_headers_and_the_request_uri_unchanged()
    {
        var text = NginxConfig.Render(Config(), Debian12);
        var music = Server(text, "server_name music.home.arpa navidrome.home.arpa;");

        Assert.Contains("upstream kith_music {\n    server 127.0.0.1:4533;\n}", text, StringComparison.Ordinal);
        Assert.Contains("proxy_pass http://kith_music;", music, StringComparison.Ordinal);
        foreach (var header in new[] { "Host $host", "X-Real-IP $remote_addr", "X-Forwarded-For $proxy_add_x_forwarded_for", "X-Forwarded-Proto $scheme", "Upgrade $http_upgrade", "Connection $kith_connection_upgrade" })
        {
            Assert.Contains($"proxy_set_header {header};", music, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("proxy_ssl", music, StringComparison.Ordinal);
    }

    [Fact]
    public void Double_tls_verifies_the_backend_against_the_root_with_its_tls_name()
    {
        var vault = Server(NginxConfig.Render(Config(), Debian12), "server_name vault.home.arpa;");

        Assert.Contains("proxy_pass https://kith_vault/ui/;", vault, StringComparison.Ordinal);
        Assert.Contains("proxy_ssl_verify on;", vault, StringComparison.Ordinal);
        Assert.Contains("proxy_ssl_trusted_certificate /var/lib/kith/root-ca.pem;", vault, StringComparison.Ordinal);
        Assert.Contains("proxy_ssl_server_name on;", vault, StringComparison.Ordinal);
        Assert.Contains("proxy_ssl_name vault-backend.home.arpa;", vault, StringComparison.Ordinal);
        Assert.Contains("proxy_ssl_verify_depth 2;", vault, StringComparison.Ordinal);
    }

    [Fact]
    public void An_edge_site_forwards_to_every_backend_address_and_verifies_the_requested_name()
    {
        var text = NginxConfig.Render(Config(), Debian12);
        var photos = Server(text, "server_name photos.home.arpa;");

        Assert.Contains("# photos: public service of storage", text, StringComparison.Ordinal);
        Assert.Contains("upstream kith_photos {\n    server 100.64.0.10:443;\n    server [fd7a:115c:a1e0::10]:443;\n}", text, StringComparison.Ordinal);
        Assert.Contains("proxy_pass https://kith_photos;", photos, StringComparison.Ordinal);
        Assert.Contains("proxy_ssl_name $host;", photos, StringComparison.Ordinal);
        Assert.Contains("proxy_ssl_verify on;", photos, StringComparison.Ordinal);
        Assert.DoesNotContain("proxy_ssl_certificate ", photos, StringComparison.Ordinal);
    }

    [Fact]
    public void An_edge_site_of_an_mtls_service_shows_its_own_certificate_to_the_backend()
    {
        var config = Config();
        config = config with { Sites = [.. config.Sites.Select(s => s.Backend is null ? s : s with { RequireClientCertificate = true })] };

        var photos = Server(NginxConfig.Render(config, Debian12), "server_name photos.home.arpa;");

        var site = config.Sites.Single(s => s.Backend is not null);
        Assert.Contains($"proxy_ssl_certificate {site.Fullchain};", photos, StringComparison.Ordinal);
        Assert.Contains($"proxy_ssl_certificate_key {site.Key};", photos, StringComparison.Ordinal);
        Assert.Contains("ssl_verify_client on;", photos, StringComparison.Ordinal);
    }

    [Fact]
    public void Stapling_asks_the_local_responder_and_verifies_against_the_root()
    {
        var text = NginxConfig.Render(Config(), Debian12);
        var without = NginxConfig.Render(Config() with { OcspResponder = null }, Debian12);

        Assert.Equal(3, Count(text, "ssl_stapling on;"));
        Assert.Equal(3, Count(text, "ssl_stapling_verify on;"));
        Assert.Equal(3, Count(text, "ssl_stapling_responder http://127.0.0.1:8580/ocsp;"));
        Assert.Equal(3, Count(text, "ssl_trusted_certificate /var/lib/kith/root-ca.pem;"));
        Assert.DoesNotContain("stapling", without, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(443, 80, "return 301 https://$host$request_uri;", "listen 192.0.2.10:80;")]
    [InlineData(8443, 8080, "return 301 https://$host:8443$request_uri;", "listen 192.0.2.10:8080;")]
    public void Plain_http_to_a_known_name_is_redirected_to_https_keeping_a_non_default_port(int https, int http, string redirect, string listen)
    {
        var redirector = Server(NginxConfig.Render(Config(settings: Settings with { HttpsPort = https, HttpPort = http }), Debian12), "server_name vault.home.arpa;", https: false);

        Assert.Contains(redirect, redirector, StringComparison.Ordinal);
        Assert.Contains(listen, redirector, StringComparison.Ordinal);
        Assert.DoesNotContain("proxy_pass", redirector, StringComparison.Ordinal);
    }

    [Fact]
    public void Rendering_twice_gives_the_same_text() =>
        Assert.Equal(NginxConfig.Render(Config(), Debian12), NginxConfig.Render(Config(), Debian12));

    /// <summary>The server block that holds <paramref name="marker"/>: the HTTPS one, or the port-80 redirect.</summary>
    internal static string Server(string text, string marker, bool https = true)
    {
        foreach (var block in text.Split("\nserver {\n").Skip(1).Select(b => b[..(b.IndexOf("\n}\n", StringComparison.Ordinal) + 1)]))
        {
            if (block.Contains(marker, StringComparison.Ordinal) && (block.Contains(" ssl", StringComparison.Ordinal) == https || marker == "server_name _;"))
            {
                return block;
            }
        }

        throw new InvalidOperationException($"no server block with '{marker}' in:\n{text}");
    }

    /// <summary>How many lines hold exactly <paramref name="directive"/>.</summary>
    private static int Count(string text, string directive) => text.Split('\n').Count(line => line.Trim() == directive);
}
