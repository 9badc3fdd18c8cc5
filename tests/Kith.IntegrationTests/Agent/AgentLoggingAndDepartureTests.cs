using System.Text.Json;
using Kith.IntegrationTests.Support;

namespace Kith.IntegrationTests.Agent;

/// <summary>agent.yaml's log_format and remove_departed, seen from outside a real agent process.</summary>
public class AgentLoggingAndDepartureTests
{
    private const string TwoServices = """
        domain: home.arpa
        machines:
          alpha: { addresses: [127.0.0.1] }
        services:
          web:
            machine: alpha
            endpoints: [web.home.arpa]
            files: { dir: /var/lib/acme/web }
          api:
            machine: alpha
            endpoints: [api.home.arpa]
            files: { dir: /var/lib/acme/api }
        """;

    [Fact]
    public async Task With_json_logs_every_line_is_one_json_object_and_a_departed_endpoint_is_kept_when_configured()
    {
        using var kith = new KithWorkspace(TwoServices);
        var agentFolder = await AgentEnrollment.EnrollAlphaAndApplyAsync(kith);
        var filesRoot = kith.File("root");
        Directory.CreateDirectory(filesRoot);
        using var agent = await AgentProcess.StartAsync(
            kith.File("agent.yaml"), "alpha", agentFolder, kith.RootCertificate,
            $"files_root: {filesRoot}\nlog_format: json\nremove_departed: false\npeer_sync: false");
        var api = Path.Combine(filesRoot, "var/lib/acme/api");
        await kith.SucceedAsync("publish", "--to", agent.BaseAddress.ToString());
        await AgentEnrollment.WaitAsync(() => File.Exists(Path.Combine(api, "cert.pem")), agent);
        var apiCert = File.ReadAllBytes(Path.Combine(api, "cert.pem"));

        // api leaves the inventory: the agent keeps its files, as configured.
        kith.Inventory = kith.Write("fleet.yaml", TwoServices[..TwoServices.IndexOf("  api:", StringComparison.Ordinal)]);
        await kith.SucceedAsync("apply");
        await kith.SucceedAsync("publish", "--to", agent.BaseAddress.ToString());
        await AgentEnrollment.WaitAsync(() => agent.Log.Contains("reconcile pass for state version 2", StringComparison.Ordinal), agent);
        Assert.Equal(apiCert, File.ReadAllBytes(Path.Combine(api, "cert.pem")));
        Assert.True(File.Exists(Path.Combine(filesRoot, "var/lib/acme/web/cert.pem")));
        Assert.True(agent.Terminate() == 0, agent.Log);

        var lines = agent.Log.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.NotEmpty(lines);
        foreach (var line in lines)
        {
            using var document = JsonDocument.Parse(line);
            Assert.True(document.RootElement.TryGetProperty("Timestamp", out _), line);
            Assert.True(document.RootElement.TryGetProperty("LogLevel", out _), line);
            Assert.True(document.RootElement.TryGetProperty("Message", out _), line);
        }

        Assert.Contains(lines, line => line.Contains("listening on", StringComparison.Ordinal));
        Assert.DoesNotContain("PRIVATE KEY", agent.Log, StringComparison.Ordinal);
    }
}
