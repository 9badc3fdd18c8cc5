using System.Net;
using Kith.Proxy;
using YamlDotNet.RepresentationModel;

namespace Kith.Agent;

/// <summary>
/// The reverse proxy config the agent keeps (agent.yaml <c>proxy</c>, <c>proxy_config</c>, <c>proxy_validate</c>,
/// <c>proxy_reload</c>, <c>proxy_listen</c>, <c>proxy_nginx</c>; docs/agent.md, "Proxy"): which proxy, where its
/// config goes, how it is checked and reloaded.
/// </summary>
/// <param name="Format">The proxy, or null for none (the default: the agent writes no proxy config).</param>
/// <param name="ConfigPath">The config file, or null for the proxy's default (<see cref="DefaultConfigPath"/>).</param>
/// <param name="Validate">The argv (no shell) that checks the written config, or null for the proxy's default.</param>
/// <param name="Reload">The argv (no shell) that makes the proxy load it, or null for the proxy's default.</param>
/// <param name="Listen">Addresses the proxy listens on (IP literals); empty means every address.</param>
/// <param name="Nginx">The nginx binary whose <c>-V</c> tells what it supports.</param>
public sealed record AgentProxyOptions(
    ProxyFormat? Format,
    string? ConfigPath,
    IReadOnlyList<string>? Validate,
    IReadOnlyList<string>? Reload,
    IReadOnlyList<string> Listen,
    string Nginx)
{
    public static AgentProxyOptions None { get; } = new(null, null, null, null, [], "nginx");

    /// <summary>The config file in effect; null when no proxy is configured.</summary>
    public string? EffectiveConfigPath => Format is { } format ? ConfigPath ?? DefaultConfigPath(format) : null;

    /// <summary>The validate command in effect (empty when no proxy is configured).</summary>
    public IReadOnlyList<string> EffectiveValidate => Format switch
    {
        null => [],
        _ when Validate is not null => Validate,
        ProxyFormat.Nginx => ["nginx", "-t", "-q"],
        _ => ["caddy", "validate", "--config", EffectiveConfigPath!, "--adapter", "caddyfile"],
    };

    /// <summary>The reload command in effect (empty when no proxy is configured).</summary>
    public IReadOnlyList<string> EffectiveReload => Format switch
    {
        null => [],
        _ when Reload is not null => Reload,
        ProxyFormat.Nginx => ["systemctl", "reload", "nginx"],
        _ => ["systemctl", "reload", "caddy"],
    };

    /// <summary>Where Debian's nginx and caddy packages read kith's config from.</summary>
    public static string DefaultConfigPath(ProxyFormat format) => format == ProxyFormat.Nginx ? "/etc/nginx/conf.d/kith.conf" : "/etc/caddy/Caddyfile";

    /// <summary>Applies one of the proxy keys of <paramref name="configPath"/> to these options.</summary>
    /// <exception cref="KithException">The value is not valid for the key.</exception>
    internal AgentProxyOptions With(string configPath, string key, YamlNode value) => key switch
    {
        "proxy" => Scalar(configPath, key, value) switch
        {
            "none" => this with { Format = null },
            "nginx" => this with { Format = ProxyFormat.Nginx },
            "caddy" => this with { Format = ProxyFormat.Caddy },
            var other => throw new KithException($"{configPath}: proxy must be nginx, caddy or none, not '{other}'"),
        },
        "proxy_config" => this with
        {
            ConfigPath = Scalar(configPath, key, value) is var path && System.IO.Path.IsPathFullyQualified(path)
                ? path
                : throw new KithException($"{configPath}: proxy_config must be an absolute path, not '{Scalar(configPath, key, value)}'"),
        },
        "proxy_validate" => this with { Validate = Argv(configPath, key, value, "[nginx, -t, -q]") },
        "proxy_reload" => this with { Reload = Argv(configPath, key, value, "[systemctl, reload, nginx]") },
        "proxy_listen" => this with
        {
            Listen = value is YamlSequenceNode addresses
                ? [.. addresses.Children.Select(address => ListenAddress(configPath, Scalar(configPath, key, address)))]
                : [ListenAddress(configPath, Scalar(configPath, key, value))],
        },
        "proxy_nginx" => this with
        {
            Nginx = Scalar(configPath, key, value) is { Length: > 0 } nginx
                ? nginx
                : throw new KithException($"{configPath}: proxy_nginx must name the nginx binary, e.g. nginx or /usr/sbin/nginx"),
        },
        _ => throw new ArgumentOutOfRangeException(nameof(key), key, "not a proxy key"),
    };

    /// <summary>The keys that only mean something with a proxy must not be given without one.</summary>
    /// <exception cref="KithException">Another proxy key is set while proxy is none.</exception>
    internal AgentProxyOptions Check(string configPath)
    {
        if (Format is null && (ConfigPath is not null || Validate is not null || Reload is not null || Listen.Count > 0 || Nginx != None.Nginx))
        {
            throw new KithException($"{configPath}: proxy_config, proxy_validate, proxy_reload, proxy_listen and proxy_nginx need proxy: nginx | caddy");
        }

        return this;
    }

    private static string ListenAddress(string configPath, string text) =>
        IPAddress.TryParse(text, out var address)
            ? address.ToString()
            : throw new KithException($"{configPath}: proxy_listen entry '{text}' is not an IP address (e.g. 100.64.0.10 or fd7a:115c:a1e0::10; the port is proxy.https_port of the inventory)");

    private static IReadOnlyList<string> Argv(string configPath, string key, YamlNode value, string example) =>
        value is YamlSequenceNode argv && argv.Children.Count > 0 && argv.Children.All(a => a is YamlScalarNode { Value: { Length: > 0 } })
            ? [.. argv.Children.Select(a => ((YamlScalarNode)a).Value!)]
            : throw new KithException($"{configPath}: {key} must be a list of arguments run without a shell, e.g. {example}");

    private static string Scalar(string configPath, string key, YamlNode node) =>
        node is YamlScalarNode { Value: { } value } ? value : throw new KithException($"{configPath}: '{key}' must be a single value");
}
