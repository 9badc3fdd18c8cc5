using Kith.IntegrationTests.Support;

namespace Kith.IntegrationTests.Proxy;

/// <summary>What a user checks with curl against kith's rendered nginx config: names reach their upstream, nothing else does.</summary>
public class NginxProxyTests(NginxProxyFixture fixture) : IClassFixture<NginxProxyFixture>
{
    private RenderedNginx Nginx => fixture.Nginx;

    private string Root => fixture.Pki.RootCertificate;

    [Theory]
    [InlineData("music.home.arpa")]
    [InlineData("navidrome.home.arpa")]
    public void Every_name_reaches_its_upstream_over_http2_with_the_forwarding_headers(string name)
    {
        var result = Curl.Https(Root, name, Nginx.HttpsPort, "/library/%2Fa?q=1");

        Assert.True(result.ExitCode == 0 && result.Line("status") == "200", $"{result}\n{Nginx.Log}");
        Assert.Equal("music", result.Line("upstream"));
        Assert.Equal("2", result.Line("http_version"));
        Assert.Contains("GET /library/%2Fa?q=1 HTTP/1.1", result.Output, StringComparison.Ordinal);
        Assert.Equal(name, result.Line("Host"));
        Assert.Equal("127.0.0.1", result.Line("X-Real-IP"));
        Assert.Equal("127.0.0.1", result.Line("X-Forwarded-For"));
        Assert.Equal("https", result.Line("X-Forwarded-Proto"));
        Assert.Null(result.Line("Early-Data"));
    }

    [Fact]
    public void A_forwarded_for_header_from_outside_the_trusted_networks_does_not_change_the_client_address()
    {
        var result = Curl.Https(Root, "music.home.arpa", Nginx.HttpsPort, "/", "-H", "X-Forwarded-For: 203.0.113.7");

        Assert.True(result.Line("status") == "200", $"{result}\n{Nginx.Log}");
        Assert.Equal("127.0.0.1", result.Line("X-Real-IP"));
        Assert.Equal("203.0.113.7, 127.0.0.1", result.Line("X-Forwarded-For"));
    }

    [Fact]
    public void An_unknown_sni_gets_a_handshake_failure_and_no_certificate()
    {
        var result = Curl.Https(Root, "unknown.home.arpa", Nginx.HttpsPort);
        var (_, sclient) = Openssl.Run("s_client", "-connect", $"127.0.0.1:{Nginx.HttpsPort}", "-servername", "unknown.home.arpa");

        Assert.True(result.ExitCode == Curl.TlsConnectError, result.ToString());
        Assert.Contains("unrecognized name", sclient, StringComparison.Ordinal);
        Assert.Contains("no peer certificate available", sclient, StringComparison.Ordinal);
    }

    [Fact]
    public void Https_to_the_raw_ip_gets_a_handshake_failure()
    {
        var result = Curl.Run("--cacert", Root, $"https://127.0.0.1:{Nginx.HttpsPort}/");

        Assert.True(result.ExitCode == Curl.TlsConnectError, result.ToString());
    }

    [Theory]
    [InlineData("unknown.home.arpa")]
    [InlineData("127.0.0.1")]
    public void Plain_http_to_an_unknown_host_or_the_raw_ip_gets_the_connection_closed(string host)
    {
        var result = Curl.Run("-H", $"Host: {host}", $"http://127.0.0.1:{Nginx.HttpPort}/");

        Assert.True(result.ExitCode == Curl.EmptyReply, result.ToString());
        Assert.DoesNotContain("upstream", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void A_known_sni_with_an_unknown_host_header_gets_the_connection_closed()
    {
        var result = Curl.Https(Root, "music.home.arpa", Nginx.HttpsPort, "/", "--http1.1", "-H", "Host: unknown.home.arpa");

        Assert.True(result.ExitCode == Curl.EmptyReply, result.ToString());
    }

    [Fact]
    public void Plain_http_to_a_known_name_is_redirected_to_https_on_its_port()
    {
        var result = Curl.Run("--resolve", $"music.home.arpa:{Nginx.HttpPort}:127.0.0.1", "-o", "/dev/null", "-w", "%{http_code} %{redirect_url}", $"http://music.home.arpa:{Nginx.HttpPort}/a/b?c=d");

        Assert.Equal($"301 https://music.home.arpa:{Nginx.HttpsPort}/a/b?c=d", result.Output);
    }

    [Fact]
    public void The_mtls_site_refuses_a_client_without_a_certificate()
    {
        var result = Curl.Https(Root, "vault.home.arpa", Nginx.HttpsPort);

        Assert.Equal("400", result.Line("status"));
        Assert.Contains("No required SSL certificate was sent", result.Output, StringComparison.Ordinal);
        Assert.Null(result.Line("upstream"));
    }

    [Fact]
    public void The_mtls_site_accepts_a_kith_client_certificate()
    {
        var result = Curl.Https(Root, "vault.home.arpa", Nginx.HttpsPort, "/", "--cert", Path.Combine(fixture.Client, "fullchain.pem"), "--key", Path.Combine(fixture.Client, "key.pem"));

        Assert.True(result.Line("status") == "200", $"{result}\n{Nginx.Log}");
        Assert.Equal("vault", result.Line("upstream"));
    }

    [Fact]
    public void The_mtls_site_refuses_a_client_certificate_from_another_root()
    {
        using var otherFolder = new TempFolder();
        using var other = new ProxyPki(otherFolder);
        var stranger = other.WriteEndpoint("stranger", Kith.Pki.CertificateUsage.Client, "laptop.home.arpa");

        var result = Curl.Https(Root, "vault.home.arpa", Nginx.HttpsPort, "/", "--cert", Path.Combine(stranger, "fullchain.pem"), "--key", Path.Combine(stranger, "key.pem"));

        Assert.Equal("400", result.Line("status"));
        Assert.Contains("The SSL certificate error", result.Output, StringComparison.Ordinal);
        Assert.Null(result.Line("upstream"));
    }

    [Fact]
    public void The_mtls_site_cannot_be_reached_through_the_handshake_of_another_name()
    {
        // SNI music (no client certificate asked), then Host vault: nginx answers 421 Misdirected Request.
        var result = Curl.Https(Root, "music.home.arpa", Nginx.HttpsPort, "/", "--http1.1", "-H", "Host: vault.home.arpa");

        Assert.Equal("421", result.Line("status"));
        Assert.Null(result.Line("upstream"));
    }

    [Fact]
    public void The_full_chain_is_served_and_verifies_against_the_root_alone()
    {
        var (code, output) = Openssl.Run("s_client", "-connect", $"127.0.0.1:{Nginx.HttpsPort}", "-servername", "music.home.arpa", "-CAfile", Root, "-showcerts", "-verify_return_error");

        Assert.True(code == 0, output);
        Assert.Contains("Verify return code: 0 (ok)", output, StringComparison.Ordinal);
        Assert.Equal(2, output.Split("-----BEGIN CERTIFICATE-----").Length - 1);
    }
}
