using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.RegularExpressions;
using Kith.IntegrationTests.Support;

namespace Kith.IntegrationTests.Proxy;

/// <summary>
/// A real agent with <c>proxy: nginx</c> in front of a real nginx master process: it writes the include, nginx serves
/// the endpoint, each renewal reloads nginx, and a config nginx -t refuses is rolled back while the old one keeps serving.
/// </summary>
public sealed partial class AgentProxyTests : IDisposable
{
    private readonly EchoUpstream first = new("first");
    private readonly EchoUpstream second = new("second");
    private readonly int httpsPort = TestProcesses.FreeLoopbackPort();
    private readonly int httpPort = TestProcesses.FreeLoopbackPort();
    private readonly KithWorkspace kith;

    public AgentProxyTests()
    {
        kith = new KithWorkspace(Inventory(first));
    }

    [Fact]
    public async Task The_agent_writes_the_nginx_config_reloads_after_each_renewal_and_rolls_back_a_config_nginx_refuses()
    {
        var agentFolder = await AgentEnrollment.EnrollAlphaAndApplyAsync(kith);
        using var nginx = NginxMaster.Start(kith.File("nginx"));
        // 1-minute certificates are due at once (the 5-minute backdate is part of the lifetime): renewed every pass, one a second.
        using var agent = await AgentEnrollment.StartAlphaAsync(kith, agentFolder, AgentEnrollment.MakeFilesRoot(kith), $"""
            reconcile_interval_seconds: 1
            leaf_validity_minutes: 1
            proxy: nginx
            proxy_config: {nginx.KithConfig}
            proxy_validate: [{string.Join(", ", nginx.Validate)}]
            proxy_reload: [{string.Join(", ", nginx.Reload)}]
            proxy_listen: [127.0.0.1]
            """);
        await AgentEnrollment.PublishAsync(kith, agent);

        // The agent writes the include and reloads; nginx serves web.home.arpa in front of the first upstream.
        await AgentEnrollment.WaitAsync(() => Curl().Body.Contains("upstream: first", StringComparison.Ordinal), agent, 60);
        Assert.Contains("server_name web.home.arpa", File.ReadAllText(nginx.KithConfig), StringComparison.Ordinal);
        // nginx reloads about once a second here (a renewal per pass), so one handshake may meet a retiring worker: ask until one answers.
        var served = string.Empty;
        await AgentEnrollment.WaitAsync(() => (served = ServedSerial()).Length > 0, agent, 30);

        // A renewal: the agent reloads nginx, which then serves the new certificate.
        await AgentEnrollment.WaitAsync(() => ServedSerial() is { Length: > 0 } now && now != served, agent, 60);
        Assert.Matches(ReloadsOk(), await MetricsAsync(agent));

        // nginx's own config breaks; a new state changes the upstream: nginx -t refuses, the old include is put back.
        var working = File.ReadAllText(nginx.KithConfig);
        nginx.BreakMainConfig();
        kith.Inventory = kith.Write("kith.yaml", Inventory(second));
        await kith.SucceedAsync("apply");
        await AgentEnrollment.PublishAsync(kith, agent);
        await agent.WaitForLogAsync("refused the new config", TimeSpan.FromSeconds(60));

        Assert.Equal(working, File.ReadAllText(nginx.KithConfig));
        await AgentEnrollment.WaitAsync(() => Curl().Body.Contains("upstream: first", StringComparison.Ordinal), agent, 30);
        Assert.Contains("kith_proxy_config_rejected_total 1\n", await MetricsAsync(agent), StringComparison.Ordinal);
        using var health = JsonDocument.Parse(await GetAsync(agent, "/healthz"));
        var proxy = health.RootElement.GetProperty("proxy");
        Assert.False(proxy.GetProperty("ok").GetBoolean(), health.RootElement.ToString());
        Assert.Contains("garbage_directive", proxy.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.False(health.RootElement.GetProperty("healthy").GetBoolean());
        Assert.Equal("nginx", proxy.GetProperty("proxy").GetString());
    }

    public void Dispose()
    {
        kith.Dispose();
        first.Dispose();
        second.Dispose();
    }

    private string Inventory(EchoUpstream upstream) => $$"""
        {{TestInventories.AlphaOnly}}proxy: { https_port: {{httpsPort}}, http_port: {{httpPort}}, http3: off }
        services:
          web:
            machine: alpha
            endpoints: [web.home.arpa]
            upstream: http://{{upstream.Server}}
            proxy: nginx

        """;

    private (int ExitCode, string Body, string Error) Curl() => CurlClient.Https("web.home.arpa", httpsPort, kith.RootCertificate);

    private string ServedSerial()
    {
        var (_, output) = Openssl.Run("s_client", "-connect", $"127.0.0.1:{httpsPort}", "-servername", "web.home.arpa");
        var pem = PemBlock().Match(output);
        return pem.Success ? X509Certificate2.CreateFromPem(pem.Value).SerialNumber : string.Empty;
    }

    private Task<string> MetricsAsync(AgentProcess agent) => GetAsync(agent, "/metrics");

    private async Task<string> GetAsync(AgentProcess agent, string path)
    {
        using var client = AgentProcess.Client(kith.RootCertificate);
        return await client.GetStringAsync(new Uri(agent.BaseAddress, path), TestContext.Current.CancellationToken);
    }

    [GeneratedRegex("-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----")]
    private static partial Regex PemBlock();

    [GeneratedRegex("kith_proxy_reloads_total\\{result=\"ok\"\\} [2-9]")]
    private static partial Regex ReloadsOk();
}
