using System.Text.Json;
using Kith.IntegrationTests.Support;

namespace Kith.IntegrationTests.Agent;

/// <summary>
/// The inventory's ca.leaf_validity reaches the agents through the fleet state: an agent process given a
/// state that says one hour issues one-hour certificates, and a changed lifetime is a new state version.
/// </summary>
public class AgentLeafPolicyTests
{
    private const string Fleet = "ca: { leaf_validity: 1h }\n" + TestInventories.AlphaWithWeb;

    [Fact]
    public async Task An_inventory_saying_one_hour_makes_the_agent_issue_one_hour_certificates_and_a_new_lifetime_is_a_new_version()
    {
        using var kith = new KithWorkspace(Fleet);
        var agentFolder = await AgentEnrollment.EnrollAlphaAndApplyAsync(kith);
        var filesRoot = AgentEnrollment.MakeFilesRoot(kith);
        var cert = Path.Combine(filesRoot, "var/lib/acme/web/cert.pem");
        using var client = AgentProcess.Client(kith.RootCertificate);
        using var agent = await AgentEnrollment.StartAlphaAsync(kith, agentFolder, filesRoot, "reconcile_interval_seconds: 300");
        await AgentEnrollment.PublishAsync(kith, agent);

        DateTimeOffset? notAfter = null;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (notAfter is null)
        {
            Assert.True(DateTime.UtcNow < deadline, $"no certificate within 30 s\n{agent.Log}");
            await Task.Delay(200, TestContext.Current.CancellationToken);
            using var health = JsonDocument.Parse(await client.GetStringAsync(new Uri(agent.BaseAddress, "/healthz"), TestContext.Current.CancellationToken));
            var endpoints = health.RootElement.GetProperty("endpoints");
            if (endpoints.GetArrayLength() == 1 && endpoints[0].TryGetProperty("not_after", out var value) && value.ValueKind == JsonValueKind.String)
            {
                notAfter = value.GetDateTimeOffset();
            }
        }

        // /healthz and the certificate on disk (openssl -checkend: exit 0 = still valid in N seconds) agree: one hour.
        Assert.InRange(notAfter.Value, DateTimeOffset.UtcNow.AddMinutes(55), DateTimeOffset.UtcNow.AddMinutes(61));
        Assert.Equal(0, Openssl.Run("x509", "-in", cert, "-noout", "-checkend", "3000").ExitCode);
        Assert.Equal(1, Openssl.Run("x509", "-in", cert, "-noout", "-checkend", "3700").ExitCode);
        Assert.Contains("endpoint certificates: lifetime 01:00:00, renewed at 0.667 of it (state version 1; from the fleet state)", agent.Log, StringComparison.Ordinal);

        // Only the lifetime changes: apply writes version 2 (and a second apply leaves it), the agent takes it up.
        kith.Inventory = kith.Write("kith.yaml", Fleet.Replace("leaf_validity: 1h }", "leaf_validity: 2h, renew_at: 0.5 }", StringComparison.Ordinal));
        var apply = await kith.SucceedAsync("apply");
        Assert.Contains("version 2, written", apply.Out, StringComparison.Ordinal);
        Assert.Contains("version 2, unchanged", (await kith.SucceedAsync("apply")).Out, StringComparison.Ordinal);
        await AgentEnrollment.PublishAsync(kith, agent);
        await agent.WaitForLogAsync("endpoint certificates: lifetime 02:00:00, renewed at 0.5 of it (state version 2; from the fleet state)", TimeSpan.FromSeconds(30));
        Assert.True(agent.Terminate() == 0, agent.Log);
    }
}
