using Kith.Proxy;

namespace Kith.Tests.Proxy;

public class NginxFeaturesReaderTests
{
    /// <summary>Debian 12's nginx -V (trimmed configure line).</summary>
    public const string Debian12 = """
        nginx version: nginx/1.22.1
        built with OpenSSL 3.0.11 19 Sep 2023 (running with OpenSSL 3.0.15 3 Sep 2024)
        TLS SNI support enabled
        configure arguments: --with-cc-opt='-g -O2' --prefix=/usr/share/nginx --with-http_ssl_module --with-http_realip_module --with-http_v2_module --with-stream=dynamic
        """;

    /// <summary>nginx.org's mainline package: HTTP/3 module, http2 directive.</summary>
    public const string Mainline = """
        nginx version: nginx/1.27.3
        built by gcc 12.2.0 (Debian 12.2.0-14)
        built with OpenSSL 3.0.13 30 Jan 2024
        TLS SNI support enabled
        configure arguments: --prefix=/etc/nginx --with-http_ssl_module --with-http_v2_module --with-http_v3_module --with-stream_ssl_module
        """;

    [Fact]
    public void Debian_12_nginx_has_no_http3_the_listen_parameter_for_http2_and_ktls()
    {
        var features = NginxFeaturesReader.Parse(Debian12);

        Assert.Equal(new Version(1, 22, 1), features.Version);
        Assert.False(features.Http3);
        Assert.False(features.Http2Directive);
        Assert.True(features.Ktls);
        Assert.Equal(NginxFeaturesReader.Baseline, features);
    }

    [Fact]
    public void A_mainline_nginx_with_the_v3_module_has_http3_and_the_http2_directive()
    {
        var features = NginxFeaturesReader.Parse(Mainline);

        Assert.Equal(new Version(1, 27, 3), features.Version);
        Assert.True(features.Http3);
        Assert.True(features.Http2Directive);
        Assert.True(features.Ktls);
    }

    [Theory]
    [InlineData("1.25.0", false)]
    [InlineData("1.25.1", true)]
    [InlineData("1.26.2", true)]
    public void The_http2_directive_starts_at_1_25_1(string version, bool directive) =>
        Assert.Equal(directive, NginxFeaturesReader.Parse(Mainline.Replace("1.27.3", version, StringComparison.Ordinal)).Http2Directive);

    [Theory]
    [InlineData("built with OpenSSL 1.1.1w  11 Sep 2023")]
    [InlineData("built with LibreSSL 3.8.2")]
    [InlineData("built with BoringSSL")]
    public void Ktls_needs_openssl_3(string library) =>
        Assert.False(NginxFeaturesReader.Parse(Debian12.Replace("built with OpenSSL 3.0.11 19 Sep 2023 (running with OpenSSL 3.0.15 3 Sep 2024)", library, StringComparison.Ordinal)).Ktls);

    [Fact]
    public void Ktls_needs_nginx_1_21_4() =>
        Assert.False(NginxFeaturesReader.Parse(Debian12.Replace("1.22.1", "1.20.2", StringComparison.Ordinal)).Ktls);

    [Fact]
    public void The_module_list_of_the_running_library_is_not_mistaken_for_the_build_library()
    {
        var text = Debian12.Replace("built with OpenSSL 3.0.11 19 Sep 2023 (running with OpenSSL 3.0.15 3 Sep 2024)", "built with OpenSSL 1.1.1w (running with OpenSSL 3.0.15)", StringComparison.Ordinal);

        Assert.False(NginxFeaturesReader.Parse(text).Ktls);
    }

    [Theory]
    [InlineData("")]
    [InlineData("Apache/2.4.62 (Debian)")]
    [InlineData("nginx version: nginx/unknown")]
    public void Output_without_a_version_line_is_refused_with_a_hint(string text)
    {
        var error = Assert.Throws<KithException>(() => NginxFeaturesReader.Parse(text));

        Assert.Contains("nginx version", error.Message, StringComparison.Ordinal);
        Assert.Contains("--nginx", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_binary_is_a_kith_error_naming_it()
    {
        var error = Assert.Throws<KithException>(() => NginxFeaturesReader.Detect("/nonexistent/kith-test/nginx"));

        Assert.Contains("/nonexistent/kith-test/nginx -V: cannot run it", error.Message, StringComparison.Ordinal);
    }
}
