using System.Text;
using BenchmarkDotNet.Attributes;
using Kith.Fleet;
using Kith.Inventory;
using Kith.Proxy;

namespace Kith.Bench;

/// <summary>
/// Rendering one machine's proxy config when it fronts 1,000 services (each with an endpoint and an alias): what
/// `kith proxy render` and the agent pay on every new state or renewal, before the proxy's own check and reload.
/// </summary>
[MemoryDiagnoser]
public class ProxyRenderBenchmarks
{
    private static readonly ProxyPaths Paths = new("/var/lib/kith/root-ca.pem", null, "http://127.0.0.1:8580/ocsp", []);
    private static readonly NginxFeatures Debian12 = NginxFeaturesReader.Parse("nginx version: nginx/1.22.1\nbuilt with OpenSSL 3.0.15 3 Sep 2024\nconfigure arguments: --with-http_ssl_module --with-http_v2_module --with-http_realip_module\n");
    private FleetState state = null!;
    private ProxyConfig nginx = null!;
    private ProxyConfig caddy = null!;

    [Params(1_000)]
    public int Services { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var inventory = InventoryLoader.Parse(Inventory(Services), "fleet.yaml");
        state = FleetStateBuilder.Build(inventory, _ => null, string.Empty, 42, DateTimeOffset.UtcNow);
        nginx = ProxyPlan.ForMachine(state, "web", ProxyFormat.Nginx, Paths);
        caddy = ProxyPlan.ForMachine(state, "web", ProxyFormat.Caddy, Paths);
    }

    [Benchmark]
    public int Plan() => ProxyPlan.ForMachine(state, "web", ProxyFormat.Nginx, Paths).Sites.Count;

    [Benchmark]
    public int RenderNginx() => NginxConfig.Render(nginx, Debian12).Length;

    [Benchmark]
    public int RenderCaddy() => CaddyConfig.Render(caddy).Length;

    /// <summary>Machine web with <paramref name="services"/> services behind nginx and the same number behind Caddy, every one mTLS-free and local.</summary>
    public static string Inventory(int services)
    {
        var text = new StringBuilder("domain: fleet.internal\nproxy: { real_ip_from: [100.64.0.0/10] }\nmachines:\n  web: { addresses: [100.64.0.10] }\nservices:\n");
        for (var s = 0; s < services; s++)
        {
            text.Append(FormattableString.Invariant($"  n{s}: {{ machine: web, endpoints: [n{s}.fleet.internal], aliases: [n{s}-alias.fleet.internal], upstream: http://127.0.0.1:{10000 + s}, proxy: nginx }}\n"));
            text.Append(FormattableString.Invariant($"  c{s}: {{ machine: web, endpoints: [c{s}.fleet.internal], upstream: http://127.0.0.1:{20000 + s}, proxy: caddy }}\n"));
        }

        return text.ToString();
    }
}
