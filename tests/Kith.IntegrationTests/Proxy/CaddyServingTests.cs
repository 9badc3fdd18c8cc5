namespace Kith.IntegrationTests.Proxy;

/// <summary>The Caddyfile kith renders, checked and served by Debian's caddy on loopback.</summary>
public class CaddyServingTests
{
    [Fact]
    public void Caddy_validate_accepts_the_rendered_caddyfile()
    {
        using var site = new CaddySite();
        var path = Path.Combine(site.Folder, "Caddyfile");
        File.WriteAllText(path, site.Caddyfile);

        var (code, output) = CaddyServer.Run(site.Folder, "validate", "--config", path, "--adapter", "caddyfile");

        Assert.True(code == 0, output);
        Assert.Contains("Valid configuration", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Curl_reaches_the_upstream_with_the_forwarding_headers_and_the_upstream_path_in_front()
    {
        using var site = new CaddySite();
        await site.StartAsync();

        var (code, body, error) = CurlClient.Https("music.home.arpa", site.HttpsPort, site.RootPem, "/song?id=7");

        Assert.True(code == 0, $"curl exit {code}: {error}\n{site.Log}");
        Assert.Contains("upstream: music\n", body, StringComparison.Ordinal);
        Assert.Contains("GET /app/song?id=7 HTTP/1.1\n", body, StringComparison.Ordinal);
        Assert.Contains($"Host: music.home.arpa:{site.HttpsPort}\n", body, StringComparison.Ordinal);
        Assert.Contains("X-Forwarded-For: 127.0.0.1\n", body, StringComparison.Ordinal);
        Assert.Contains("X-Forwarded-Proto: https\n", body, StringComparison.Ordinal);
        Assert.Contains("X-Real-Ip: 127.0.0.1\n", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_name_or_a_raw_ip_gets_no_certificate_and_plain_http_is_redirected_only_for_known_names()
    {
        using var site = new CaddySite();
        await site.StartAsync();

        var unknown = CurlClient.Https("other.home.arpa", site.HttpsPort, site.RootPem);
        var rawIp = CurlClient.Run("--cacert", site.RootPem, $"https://127.0.0.1:{site.HttpsPort}/");
        var redirect = CurlClient.Run("--output", "/dev/null", "--write-out", "%{http_code} %{redirect_url}", "--resolve", $"music.home.arpa:{site.HttpPort}:127.0.0.1", $"http://music.home.arpa:{site.HttpPort}/a?b=1");
        var plainUnknown = CurlClient.Run("--resolve", $"other.home.arpa:{site.HttpPort}:127.0.0.1", $"http://other.home.arpa:{site.HttpPort}/");
        var plainRawIp = CurlClient.Run($"http://127.0.0.1:{site.HttpPort}/");

        Assert.True(unknown.ExitCode == 35, $"unknown SNI: curl exit {unknown.ExitCode}: {unknown.Error}");
        Assert.True(rawIp.ExitCode == 35, $"raw IP: curl exit {rawIp.ExitCode}: {rawIp.Error}");
        Assert.Equal($"301 https://music.home.arpa:{site.HttpsPort}/a?b=1", redirect.Body);
        Assert.True(plainUnknown.ExitCode == 52, $"plain HTTP to an unknown name: curl exit {plainUnknown.ExitCode}: {plainUnknown.Body}{plainUnknown.Error}");
        Assert.True(plainRawIp.ExitCode == 52, $"plain HTTP to the raw IP: curl exit {plainRawIp.ExitCode}: {plainRawIp.Body}{plainRawIp.Error}");
    }

    [Fact]
    public async Task An_mtls_site_refuses_a_client_without_a_certificate_and_lets_a_kith_client_certificate_in()
    {
        using var site = new CaddySite();
        await site.StartAsync();

        var without = CurlClient.Https("storage.home.arpa", site.HttpsPort, site.RootPem);
        var with = CurlClient.Https("storage.home.arpa", site.HttpsPort, site.RootPem, "/", "--cert", site.ClientCertificate, "--key", site.ClientKey);

        Assert.NotEqual(0, without.ExitCode);
        Assert.DoesNotContain("upstream: storage", without.Body, StringComparison.Ordinal);
        Assert.True(with.ExitCode == 0, $"curl exit {with.ExitCode}: {with.Error}\n{site.Log}");
        Assert.Contains("upstream: storage\n", with.Body, StringComparison.Ordinal);
    }
}
