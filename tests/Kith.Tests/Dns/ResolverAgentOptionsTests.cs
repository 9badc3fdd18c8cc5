using Kith.Agent;
using Kith.Dns.Resolver;

namespace Kith.Tests.Dns;

/// <summary>agent.yaml's resolver keys: resolver, resolver_path, resolver_reload, resolver_port.</summary>
public sealed class ResolverAgentOptionsTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("kith-resolver-options-").FullName;

    [Fact]
    public void Without_resolver_keys_the_agent_keeps_no_snippet()
    {
        var options = AgentOptions.Load(Write("dir: /srv/kith\n"), null, null);

        Assert.Null(options.Resolver.Format);
        Assert.Null(options.Resolver.EffectivePath);
    }

    [Fact]
    public void The_resolver_keys_give_format_path_reload_argv_and_port()
    {
        var options = AgentOptions.Load(Write("""
            resolver: unbound
            resolver_path: /etc/unbound/unbound.conf.d/fleet.conf
            resolver_reload: [unbound-control, reload]
            resolver_port: 5353
            """), null, null);

        Assert.Equal(ResolverFormat.Unbound, options.Resolver.Format);
        Assert.Equal(["unbound-control", "reload"], options.Resolver.Reload);
        Assert.Equal(5353, options.Resolver.Port);
        Assert.Equal("/etc/unbound/unbound.conf.d/fleet.conf", options.Resolver.EffectivePath);
    }

    [Theory]
    [InlineData("systemd-resolved", "/etc/systemd/resolved.conf.d/kith.conf")]
    [InlineData("dnsmasq", "/etc/dnsmasq.d/kith.conf")]
    [InlineData("unbound", "/etc/unbound/unbound.conf.d/kith.conf")]
    public void Without_resolver_path_each_resolver_gets_its_default_path(string resolver, string path)
    {
        var options = AgentOptions.Load(Write($"resolver: {resolver}\n"), null, null);

        Assert.Equal(path, options.Resolver.EffectivePath);
        Assert.Empty(options.Resolver.Reload);
        Assert.Equal(53, options.Resolver.Port);
    }

    [Theory]
    [InlineData("resolver: bind\n", "resolver must be one of systemd-resolved, dnsmasq, unbound or none, not 'bind'")]
    [InlineData("resolver: unbound\nresolver_path: kith.conf\n", "resolver_path must be an absolute path, not 'kith.conf'")]
    [InlineData("resolver: unbound\nresolver_reload: unbound-control reload\n", "resolver_reload must be a list of arguments run without a shell")]
    [InlineData("resolver: unbound\nresolver_port: 0\n", "resolver_port must be a port number between 1 and 65535")]
    [InlineData("resolver_path: /etc/dnsmasq.d/kith.conf\n", "resolver_path, resolver_reload and resolver_port need resolver: systemd-resolved | dnsmasq | unbound")]
    [InlineData("resolver: none\nresolver_reload: [true]\n", "need resolver:")]
    public void A_wrong_resolver_key_is_a_one_line_error_naming_agent_yaml(string yaml, string expected)
    {
        var path = Write(yaml);

        var error = Assert.Throws<KithException>(() => AgentOptions.Load(path, null, null));

        Assert.StartsWith(path + ": ", error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private string Write(string content)
    {
        var path = Path.Combine(folder, "agent.yaml");
        File.WriteAllText(path, content);
        return path;
    }
}
