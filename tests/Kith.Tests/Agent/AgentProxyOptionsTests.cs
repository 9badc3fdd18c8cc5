using Kith.Agent;
using Kith.Proxy;

namespace Kith.Tests.Agent;

public sealed class AgentProxyOptionsTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("kith-agent-proxy-options-").FullName;

    [Fact]
    public void Without_a_proxy_key_the_agent_keeps_no_proxy_config()
    {
        var options = AgentOptions.Load(Write("agent.yaml", "machine: alpha\n"), null, null);

        Assert.Null(options.Proxy.Format);
        Assert.Null(options.Proxy.EffectiveConfigPath);
        Assert.Empty(options.Proxy.EffectiveReload);
    }

    [Fact]
    public void Nginx_and_caddy_get_debians_paths_and_commands_by_default()
    {
        var nginx = AgentOptions.Load(Write("nginx.yaml", "proxy: nginx\n"), null, null).Proxy;
        var caddy = AgentOptions.Load(Write("caddy.yaml", "proxy: caddy\n"), null, null).Proxy;

        Assert.Equal(ProxyFormat.Nginx, nginx.Format);
        Assert.Equal("/etc/nginx/conf.d/kith.conf", nginx.EffectiveConfigPath);
        Assert.Equal(["nginx", "-t", "-q"], nginx.EffectiveValidate);
        Assert.Equal(["systemctl", "reload", "nginx"], nginx.EffectiveReload);
        Assert.Equal("nginx", nginx.Nginx);
        Assert.Empty(nginx.Listen);
        Assert.Equal("/etc/caddy/Caddyfile", caddy.EffectiveConfigPath);
        Assert.Equal(["caddy", "validate", "--config", "/etc/caddy/Caddyfile", "--adapter", "caddyfile"], caddy.EffectiveValidate);
        Assert.Equal(["systemctl", "reload", "caddy"], caddy.EffectiveReload);
    }

    [Fact]
    public void Every_proxy_key_is_read()
    {
        var proxy = AgentOptions.Load(Write("agent.yaml", """
            proxy: caddy
            proxy_config: /srv/caddy/Caddyfile
            proxy_validate: [caddy, validate, --config, /srv/caddy/Caddyfile]
            proxy_reload: [caddy, reload, --config, /srv/caddy/Caddyfile]
            proxy_listen: [100.64.0.10, "fd7a:115c:a1e0::10"]
            proxy_nginx: /usr/local/sbin/nginx
            """), null, null).Proxy;

        Assert.Equal("/srv/caddy/Caddyfile", proxy.EffectiveConfigPath);
        Assert.Equal(["caddy", "validate", "--config", "/srv/caddy/Caddyfile"], proxy.EffectiveValidate);
        Assert.Equal(["caddy", "reload", "--config", "/srv/caddy/Caddyfile"], proxy.EffectiveReload);
        Assert.Equal(["100.64.0.10", "fd7a:115c:a1e0::10"], proxy.Listen);
        Assert.Equal("/usr/local/sbin/nginx", proxy.Nginx);
    }

    [Theory]
    [InlineData("proxy: traefik\n", "proxy must be nginx, caddy or none, not 'traefik'")]
    [InlineData("proxy: nginx\nproxy_config: conf.d/kith.conf\n", "proxy_config must be an absolute path")]
    [InlineData("proxy: nginx\nproxy_reload: systemctl reload nginx\n", "proxy_reload must be a list of arguments run without a shell")]
    [InlineData("proxy: nginx\nproxy_validate: []\n", "proxy_validate must be a list of arguments")]
    [InlineData("proxy: nginx\nproxy_listen: [\"100.64.0.10:443\"]\n", "proxy_listen entry '100.64.0.10:443' is not an IP address")]
    [InlineData("proxy_config: /etc/nginx/conf.d/kith.conf\n", "need proxy: nginx | caddy")]
    [InlineData("proxy: nginx\nproxy_nginx: [a, b]\n", "'proxy_nginx' must be a single value")]
    public void A_bad_proxy_key_is_refused_naming_the_file_and_the_key(string text, string expected)
    {
        var path = Write("bad.yaml", text);

        var error = Assert.Throws<KithException>(() => AgentOptions.Load(path, null, null));

        Assert.StartsWith($"{path}: ", error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private string Write(string name, string text)
    {
        var path = Path.Combine(folder, name);
        File.WriteAllText(path, text);
        return path;
    }
}
