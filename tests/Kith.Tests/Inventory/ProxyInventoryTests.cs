using System.Net;
using Kith.Inventory;
using static Kith.Tests.Inventory.InventoryAssert;

namespace Kith.Tests.Inventory;

/// <summary>The inventory's proxy: block and the services' mtls, public and edge keys: defaults, and a located error for every bad value.</summary>
public class ProxyInventoryTests
{
    // Lines 1-10: machines storage and edge (role edge), service music proxied by nginx; its further keys start on line 11.
    private const string Head = """
        domain: home.arpa
        machines:
          storage: { addresses: [100.64.0.10] }
          edge: { addresses: [100.64.0.1], roles: [edge] }
        services:
          music:
            machine: storage
            endpoints: [music.home.arpa]
            upstream: http://127.0.0.1:4533
            proxy: nginx

        """;

    private static string Music(string body) => Head + body;

    private static string Proxy(string line) => "domain: home.arpa\nproxy:\n  " + line + "\n";

    [Fact]
    public void Without_a_proxy_block_the_defaults_apply()
    {
        var inventory = Loads(Head);

        Assert.Equal(ProxySettings.Default, inventory.Proxy);
        var music = inventory.FindService("music")!;
        Assert.False(music.Mtls);
        Assert.False(music.Public);
        Assert.Null(music.Edge);
    }

    [Fact]
    public void The_proxy_block_is_read()
    {
        var inventory = Loads(Head + """
            proxy:
              real_ip_from: [100.64.0.0/10, "fd7a:115c:a1e0::/48", 192.0.2.7/32]
              https_port: 8443
              http_port: 8080
              http3: OFF
              early_data: false
              ktls: False
            """);

        Assert.Equal([IPNetwork.Parse("100.64.0.0/10"), IPNetwork.Parse("fd7a:115c:a1e0::/48"), IPNetwork.Parse("192.0.2.7/32")], inventory.Proxy.RealIpFrom);
        Assert.Equal(8443, inventory.Proxy.HttpsPort);
        Assert.Equal(8080, inventory.Proxy.HttpPort);
        Assert.Equal(Http3Mode.Off, inventory.Proxy.Http3);
        Assert.False(inventory.Proxy.EarlyData);
        Assert.False(inventory.Proxy.Ktls);
    }

    [Theory]
    [InlineData("real_ip_from: [100.64.0.1/10]", 3, 18, "proxy.real_ip_from[0]", "host bits set; the network is 100.64.0.0/10")]
    [InlineData("real_ip_from: [100.64.0.0]", 3, 18, "proxy.real_ip_from[0]", "no prefix length")]
    [InlineData("real_ip_from: [100.64.0.0/33]", 3, 18, "proxy.real_ip_from[0]", "longer than the 32 bits")]
    [InlineData("real_ip_from: [\"fd00::/129\"]", 3, 18, "proxy.real_ip_from[0]", "longer than the 128 bits")]
    [InlineData("real_ip_from: [vpn/10]", 3, 18, "proxy.real_ip_from[0]", "not a network in CIDR form")]
    [InlineData("real_ip_from: [10.0.0.0/8, 10.0.0.0/8]", 3, 30, "proxy.real_ip_from[1]", "listed twice")]
    [InlineData("real_ip_from: 100.64.0.0/10", 3, 17, "proxy.real_ip_from", "write real_ip_from: [100.64.0.0/10]")]
    [InlineData("https_port: 0", 3, 15, "proxy.https_port", "not a TCP port")]
    [InlineData("https_port: 70000", 3, 15, "proxy.https_port", "not a TCP port")]
    [InlineData("http_port: web", 3, 14, "proxy.http_port", "not a TCP port")]
    [InlineData("http_port: 443", 3, 14, "proxy.http_port", "need two ports")]
    [InlineData("http3: maybe", 3, 10, "proxy.http3", "valid values: auto, on, off")]
    [InlineData("early_data: yes", 3, 15, "proxy.early_data", "expected true or false")]
    [InlineData("ktls: \"true\"", 3, 9, "proxy.ktls", "expected true or false (unquoted)")]
    [InlineData("http2: on", 3, 3, "proxy.http2", "did you mean 'http3'?")]
    public void Invalid_proxy_settings_are_reported(string line, int row, int column, string field, string keyword) =>
        HasError(Proxy(line), row, column, field, keyword);

    [Fact]
    public void The_proxy_block_must_be_a_map() =>
        HasError("domain: home.arpa\nproxy: nginx\n", 2, 8, "proxy", "expected a map");

    [Fact]
    public void Mtls_and_public_with_the_only_edge_machine_are_read()
    {
        var music = Loads(Music("    mtls: true\n    public: true\n")).FindService("music")!;

        Assert.True(music.Mtls);
        Assert.True(music.Public);
        Assert.Equal("edge", music.Edge);
    }

    [Fact]
    public void A_named_edge_is_used()
    {
        var yaml = Head.Replace("roles: [edge] }", "roles: [edge] }\n  edge2: { addresses: [100.64.0.2], roles: [edge] }", StringComparison.Ordinal);

        Assert.Equal("edge2", Loads(yaml + "    public: true\n    edge: Edge2\n").FindService("music")!.Edge);
    }

    [Theory]
    [InlineData("    mtls: yes\n", 11, 11, "services.music.mtls", "expected true or false")]
    [InlineData("    public: 1\n", 11, 13, "services.music.public", "expected true or false")]
    [InlineData("    edge: edge\n", 11, 11, "services.music.edge", "add public: true or remove edge")]
    [InlineData("    public: true\n    edge: storage\n", 12, 11, "services.music.edge", "not a machine with role edge; machines with role edge: edge")]
    [InlineData("    public: true\n    edge: nowhere\n", 12, 11, "services.music.edge", "not a machine with role edge")]
    [InlineData("    public: false\n    edge: edge\n", 12, 11, "services.music.edge", "add public: true")]
    public void Invalid_service_proxy_keys_are_reported(string body, int row, int column, string field, string keyword) =>
        HasError(Music(body), row, column, field, keyword);

    [Theory]
    [InlineData("mtls: true", 11, 11, "services.music.mtls", "mtls is enforced by the proxy")]
    [InlineData("public: true", 11, 13, "services.music.public", "forwarded by the edge to this service's proxy")]
    public void Mtls_and_public_need_a_proxy(string line, int row, int column, string field, string keyword) =>
        HasError(Music("    " + line + "\n").Replace("    proxy: nginx\n", "    proxy: none\n", StringComparison.Ordinal), row, column, field, keyword);

    [Fact]
    public void Public_without_an_edge_machine_says_to_give_one_the_role() =>
        HasError(Music("    public: true\n").Replace(", roles: [edge]", string.Empty, StringComparison.Ordinal), 11, 13, "services.music.public", "no machine has roles: [edge]");

    [Fact]
    public void Public_with_two_edge_machines_asks_which()
    {
        var yaml = Head.Replace("roles: [edge] }", "roles: [edge] }\n  edge2: { addresses: [100.64.0.2], roles: [edge] }", StringComparison.Ordinal);

        HasError(yaml + "    public: true\n", 12, 13, "services.music.public", "several machines have role edge (edge, edge2); name one with edge: <machine>");
    }

    // The injection rule (docs/proxy.md): nothing written in the inventory can add a directive to a proxy config.
    [Theory]
    [InlineData("http://127.0.0.1:1/;evil", "';'")]
    [InlineData("http://127.0.0.1:1/}", "'}'")]
    [InlineData("http://127.0.0.1:1/$host", "'$'")]
    [InlineData("http://127.0.0.1:1/a#b", "'#'")]
    [InlineData("http://127.0.0.1:1/a'b", "'''")]
    public void An_upstream_with_proxy_syntax_is_refused(string upstream, string character)
    {
        var error = HasError(Head.Replace("http://127.0.0.1:4533", $"\"{upstream}\"", StringComparison.Ordinal), 9, 15, "services.music.upstream", "cannot go into a proxy config");

        Assert.Contains(character, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://127.0.0.1:1/\\nevil")]
    [InlineData("http://127.0.0.1:1/\\0")]
    [InlineData("http://127.0.0.1:1/ a")]
    public void An_upstream_with_a_line_break_nul_or_space_is_refused(string upstream) =>
        HasError(Head.Replace("http://127.0.0.1:4533", $"\"{upstream}\"", StringComparison.Ordinal), 9, 15, "services.music.upstream", "http");

    [Theory]
    [InlineData("http://user:pw@127.0.0.1:1/")]
    [InlineData("http://127.0.0.1:1/app?x=1")]
    public void An_upstream_with_userinfo_or_query_is_refused(string upstream) =>
        HasError(Head.Replace("http://127.0.0.1:4533", upstream, StringComparison.Ordinal), 9, 15, "services.music.upstream", "user name, query or fragment");

    [Theory]
    [InlineData("dir", "/srv/a;b", "';'")]
    [InlineData("dir", "/srv/a}b", "'}'")]
    [InlineData("dir", "/srv/$x", "'$'")]
    [InlineData("cert", "/srv/a b.pem", "space")]
    [InlineData("key", "/srv/a#b", "'#'")]
    [InlineData("fullchain", "/srv/{x}", "'{'")]
    public void A_files_path_of_a_proxied_service_with_proxy_syntax_is_refused(string key, string path, string what)
    {
        var error = HasError(Music($"    files:\n      {key}: \"{path}\"\n"), 12, 9 + key.Length, $"services.music.files.{key}", "the path goes into the proxy config");

        Assert.Contains(what, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_files_path_of_an_unproxied_service_may_hold_such_characters()
    {
        var yaml = Music("    files:\n      dir: \"/srv/a;b\"\n").Replace("    proxy: nginx\n", string.Empty, StringComparison.Ordinal);

        Assert.Equal("/srv/a;b", Loads(yaml).FindService("music")!.Files!.Dir);
    }

    [Theory]
    [InlineData("music.home.arpa;evil")]
    [InlineData("music}.home.arpa")]
    [InlineData("music\\n.home.arpa")]
    [InlineData("$music.home.arpa")]
    [InlineData("../music.home.arpa")]
    [InlineData("music\\0.home.arpa")]
    public void An_endpoint_with_proxy_syntax_is_not_a_dns_name(string endpoint) =>
        HasError(Head.Replace("[music.home.arpa]", $"[\"{endpoint}\"]", StringComparison.Ordinal), 8, 17, "services.music.endpoints[0]", "is not a valid DNS name");
}
