using Kith.IntegrationTests.Support;
using Kith.Pki;
using Kith.Proxy;

namespace Kith.IntegrationTests.Proxy;

/// <summary>The installed nginx accepts what kith renders for it (<c>nginx -t</c>), with every feature turned on.</summary>
public class NginxConfigAcceptedTests
{
    [Fact]
    public void Nginx_t_accepts_stapling_ktls_0_rtt_mtls_double_tls_real_ip_and_an_edge_site()
    {
        using var folder = new TempFolder();
        using var pki = new ProxyPki(folder);
        var settings = ProxySites.Settings("100.64.0.0/10", "fd7a:115c:a1e0::/48", "127.0.0.1/32");
        var config = ProxySites.Config(
            "storage",
            pki,
            settings,
            "http://127.0.0.1:8580/ocsp",
            ProxySites.Site("music", pki.WriteEndpoint("music", CertificateUsage.Server, "music.home.arpa"), new ProxyUpstream(["127.0.0.1:4533"], false, null, "/"), ["music.home.arpa"]),
            ProxySites.Site("photos", pki.WriteEndpoint("photos", CertificateUsage.Server, "photos.home.arpa"), new ProxyUpstream(["127.0.0.1:8443", "[::1]:8443"], true, null, "/"), ["photos.home.arpa"], backend: "storage2"),
            ProxySites.Site("vault", pki.WriteEndpoint("vault", CertificateUsage.Server, "vault.home.arpa"), new ProxyUpstream(["localhost:8200"], true, "vault.home.arpa", "/ui/"), ["vault.home.arpa", "*.vault.home.arpa"], mtls: true));

        var features = NginxFeaturesReader.Detect();
        var (code, output) = RenderedNginx.Test(folder.File("nginx"), config, features);
        var rendered = NginxConfig.Render(config, features);

        Assert.True(code == 0, $"{output}\n{rendered}");
        Assert.Contains("test is successful", output, StringComparison.Ordinal);
        Assert.Contains("ssl_stapling_responder http://127.0.0.1:8580/ocsp;", rendered, StringComparison.Ordinal);
        Assert.Contains("ssl_conf_command Options KTLS;", rendered, StringComparison.Ordinal);
        Assert.Contains("ssl_early_data on;", rendered, StringComparison.Ordinal);
    }

    [Fact]
    public void Detect_reads_the_installed_nginx()
    {
        var features = NginxFeaturesReader.Detect();

        // Debian 12's nginx is the oldest kith is tested with.
        Assert.True(features.Version >= NginxFeaturesReader.Baseline.Version, features.ToString());
        Assert.True(features.Ktls, features.ToString());
    }
}
