using System.Text.Json;
using Kith.IntegrationTests.Support;

namespace Kith.IntegrationTests.Agent;

/// <summary>agent.yaml's log_format and remove_departed, seen from outside a real agent process.</summary>
public class AgentLoggingAndDepartureTests
{
    private const string TwoServices = TestInventories.AlphaWithWeb + """

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
        var filesRoot = AgentEnrollment.MakeFilesRoot(kith);
        using var agent = await AgentEnrollment.StartAlphaAsync(kith, agentFolder, filesRoot, "log_format: json\nremove_departed: false\npeer_sync: false");
        var api = Path.Combine(filesRoot, "var/lib/acme/api");
        await AgentEnrollment.PublishAsync(kith, agent);
        await AgentEnrollment.WaitAsync(() => File.Exists(Path.Combine(api, "cert.pem")), agent);
        var apiCert = File.ReadAllBytes(Path.Combine(api, "cert.pem"));

        // api leaves the inventory: the agent keeps its files, as configured.
        kith.Inventory = kith.Write("fleet.yaml", TwoServices[..TwoServices.IndexOf("  api:", StringComparison.Ordinal)]);
        await kith.SucceedAsync("apply");
        await AgentEnrollment.PublishAsync(kith, agent);
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
