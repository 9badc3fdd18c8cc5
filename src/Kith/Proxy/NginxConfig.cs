using System.Text;
using Kith.Inventory;

namespace Kith.Proxy;

/// <summary>
/// Renders a machine's <see cref="ProxyConfig"/> as an nginx http-context include (<c>/etc/nginx/conf.d/kith.conf</c>):
/// deny-by-default sinkholes, then per site an HTTPS server and an HTTP→HTTPS redirect (docs/proxy-nginx.md).
/// Every value is checked first (<see cref="NginxConfigCheck"/>), so a refused value leaves nothing rendered.
/// </summary>
public static class NginxConfig
{
    /// <summary>ssl_reject_handshake and ssl_conf_command appeared in nginx 1.19.4.</summary>
    private static readonly Version MinimumVersion = new(1, 19, 4);

    /// <summary>
    /// The include for <paramref name="config"/>. Throws a <see cref="KithException"/> when a value cannot go into
    /// the config, when HTTP/3 is <c>on</c> but <paramref name="features"/> lack the module, or when nginx is too old.
    /// </summary>
    public static string Render(ProxyConfig config, NginxFeatures features)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(features);
        NginxConfigCheck.Check(config);
        if (features.Version < MinimumVersion)
        {
            throw new KithException($"nginx {features.Version} is older than {MinimumVersion}, which kith's config needs (ssl_reject_handshake); install a newer nginx");
        }

        var http3 = config.Settings.Http3 switch
        {
            Http3Mode.On when !features.Http3 => throw new KithException(
                $"proxy config of {config.Machine}: proxy.http3 is on, but nginx {features.Version} was built without the HTTP/3 module (no --with-http_v3_module in nginx -V); set http3: auto or off, or install an nginx with it"),
            Http3Mode.On => true,
            Http3Mode.Auto => features.Http3,
            _ => false,
        };
        var options = new NginxRenderOptions(
            config,
            features,
            Http3: http3,
            Ktls: config.Settings.Ktls && features.Ktls,
            Listen: config.ListenAddresses.Count == 0
                ? ["", "[::]:"]
                : [.. config.ListenAddresses.Select(a => NginxConfigCheck.ListenAddress(a, config.Machine) + ":")]);

        var text = new StringBuilder();
        text.Append("# Written by kith for machine ").Append(config.Machine).AppendLine(": do not edit, it is rewritten after every change.")
            .Append("# nginx ").Append(features.Version).Append(", HTTP/3 ").Append(http3 ? "on" : "off")
            .Append(", kTLS ").Append(options.Ktls ? "on" : "off").Append(", 0-RTT ").Append(config.Settings.EarlyData ? "on" : "off").AppendLine(".")
            .AppendLine()
            .AppendLine("# WebSocket: pass Upgrade through, and close the upstream connection otherwise.")
            .AppendLine("map $http_upgrade $kith_connection_upgrade {")
            .AppendLine("    default upgrade;")
            .AppendLine("    '' close;")
            .AppendLine("}");
        NginxSinkhole.Write(text, options);
        foreach (var site in config.Sites)
        {
            NginxSite.Write(text, site, options);
        }

        return text.ToString();
    }
}

/// <summary>What every block of one rendering shares.</summary>
/// <param name="Listen">The listen prefixes: "127.0.0.1:", "[fd00::10]:", or "" and "[::]:" for every address.</param>
internal sealed record NginxRenderOptions(ProxyConfig Config, NginxFeatures Features, bool Http3, bool Ktls, IReadOnlyList<string> Listen)
{
    public ProxySettings Settings => Config.Settings;
}
