using Kith.Proxy;
using static Kith.Tests.Proxy.ProxyConfigSamples;

namespace Kith.Tests.Proxy;

/// <summary>No value of a <see cref="ProxyConfig"/> can add a directive, a block, a variable or a path outside its folder.</summary>
public class NginxConfigInjectionTests
{
    private static readonly string[] Attacks = [";", "}", "\n", "$", "../", "\0"];

    private static readonly Dictionary<string, Func<ProxyConfig, string, ProxyConfig>> Fields = new()
    {
        ["machine"] = (c, bad) => c with { Machine = Poison(c.Machine, bad) },
        ["root certificate"] = (c, bad) => c with { RootCertificate = Poison(c.RootCertificate, bad) },
        ["OCSP responder"] = (c, bad) => c with { OcspResponder = Poison(c.OcspResponder!, bad) },
        ["listen address"] = (c, bad) => c with { ListenAddresses = [Poison(c.ListenAddresses[0], bad)] },
        ["service"] = (c, bad) => Site(c, s => s with { Service = Poison(s.Service, bad) }),
        ["name"] = (c, bad) => Site(c, s => s with { Names = [s.Names[0], Poison(s.Names[1], bad)] }),
        ["fullchain"] = (c, bad) => Site(c, s => s with { Fullchain = Poison(s.Fullchain, bad) }),
        ["key"] = (c, bad) => Site(c, s => s with { Key = Poison(s.Key, bad) }),
        ["chain"] = (c, bad) => Site(c, s => s with { Chain = Poison(s.Chain, bad) }),
        ["backend"] = (c, bad) => Site(c, s => s with { Backend = Poison("storage", bad) }),
        ["upstream server"] = (c, bad) => Site(c, s => s with { Upstream = s.Upstream with { Servers = [Poison(s.Upstream.Servers[0], bad)] } }),
        ["upstream TLS name"] = (c, bad) => Site(c, s => s with { Upstream = s.Upstream with { Tls = true, TlsName = Poison("backend.home.arpa", bad) } }),
        ["upstream path"] = (c, bad) => Site(c, s => s with { Upstream = s.Upstream with { Path = Poison("/app", bad) } }),
    };

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var field in Fields.Keys)
        {
            foreach (var attack in Attacks)
            {
                data.Add(field, attack);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_syntax_character_in_any_field_is_refused_and_nothing_is_rendered(string field, string attack)
    {
        var config = Fields[field](Config(), attack);
        string? rendered = null;

        var error = Assert.Throws<KithException>(() => rendered = NginxConfig.Render(config, NginxFeaturesReader.Baseline));

        Assert.Null(rendered);
        Assert.StartsWith("proxy config", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("\n", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("\0", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("~.*")]
    [InlineData("_")]
    [InlineData("Music.Home.Arpa")]
    [InlineData("*")]
    public void A_server_name_that_is_not_a_normalized_dns_name_is_refused(string name)
    {
        // '~' would make it a regular expression that catches every name, past the sinkhole.
        var config = Site(Config(), s => s with { Names = [name] });

        var error = Assert.Throws<KithException>(() => NginxConfig.Render(config, NginxFeaturesReader.Baseline));

        Assert.Contains("service music: name", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("unix:/run/app.sock")]
    [InlineData("127.0.0.1")]
    [InlineData("127.0.0.1:0")]
    [InlineData("fd00::1:443")]
    public void An_upstream_server_that_is_not_host_port_is_refused(string server)
    {
        var config = Site(Config(), s => s with { Upstream = s.Upstream with { Servers = [server] } });

        var error = Assert.Throws<KithException>(() => NginxConfig.Render(config, NginxFeaturesReader.Baseline));

        Assert.Contains("is not host:port", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_listen_address_must_be_an_ip_literal()
    {
        var error = Assert.Throws<KithException>(() => NginxConfig.Render(Config(listen: ["localhost"]), NginxFeaturesReader.Baseline));

        Assert.Contains("listen address 'localhost' is not an IP address", error.Message, StringComparison.Ordinal);
    }

    private static string Poison(string value, string attack) => value + "/" + attack + "x";

    /// <summary>The config with its first site changed.</summary>
    private static ProxyConfig Site(ProxyConfig config, Func<ProxySite, ProxySite> change) =>
        config with { Sites = [change(config.Sites[0]), .. config.Sites.Skip(1)] };
}
