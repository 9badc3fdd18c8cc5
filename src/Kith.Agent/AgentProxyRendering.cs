using System.Net;
using Kith.Enrollment;
using Kith.Fleet;
using Kith.Proxy;
using Microsoft.Extensions.Logging;

namespace Kith.Agent;

/// <summary>How the agent turns its held state into its proxy's config: the same plan and renderers as <c>kith proxy render</c>, with this machine's paths.</summary>
internal static partial class AgentProxyRendering
{
    /// <summary>The plan with the agent's Root, files_root, own OCSP responder and <c>proxy_listen</c>.</summary>
    public static Func<FleetState, ProxyConfig> Plan(AgentOptions options, AgentFolder folder, string machine)
    {
        var paths = new ProxyPaths(folder.RootCertificate, options.FilesRoot, OcspResponder(options.EffectiveRevocationListen), options.Proxy.Listen);
        var format = options.Proxy.Format ?? throw new ArgumentException("no proxy configured", nameof(options));
        return state => ProxyPlan.ForMachine(state, machine, format, paths);
    }

    /// <summary>The renderer; for nginx what the installed binary supports is read once, on first use.</summary>
    public static Func<ProxyConfig, string> Renderer(AgentProxyOptions options, ILogger logger)
    {
        if (options.Format == ProxyFormat.Caddy)
        {
            return CaddyConfig.Render;
        }

        var features = new Lazy<NginxFeatures>(() =>
        {
            try
            {
                return NginxFeaturesReader.Detect(options.Nginx);
            }
            catch (KithException e)
            {
                LogBaseline(logger, e.Message);
                return NginxFeaturesReader.Baseline;
            }
        });
        return config => NginxConfig.Render(config, features.Value);
    }

    /// <summary>The agent's own OCSP responder, reached over loopback when it listens on every address; null without revocation serving.</summary>
    private static string? OcspResponder(IReadOnlyList<IPEndPoint> revocationListen)
    {
        if (revocationListen.Count == 0)
        {
            return null;
        }

        var endpoint = revocationListen[0];
        var address = endpoint.Address.Equals(IPAddress.Any) ? IPAddress.Loopback : endpoint.Address.Equals(IPAddress.IPv6Any) ? IPAddress.IPv6Loopback : endpoint.Address;
        return $"http://{new IPEndPoint(address, endpoint.Port)}/ocsp";
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "nginx features could not be read ({Error}); rendering for nginx 1.22.1 without HTTP/3")]
    private static partial void LogBaseline(ILogger logger, string error);
}
