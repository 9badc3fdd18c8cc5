using System.Diagnostics;
using Kith.IntegrationTests.Support;

namespace Kith.IntegrationTests.Agent;

/// <summary>
/// A reconcile pass that fails as a whole (the Host CA key damaged) backs off instead of retrying every
/// interval, keeps the files and the HTTPS endpoint, and recovers once the key is back.
/// </summary>
public class AgentPassBackoffTests
{
    [Fact]
    public async Task With_the_host_ca_key_damaged_the_agent_backs_off_keeps_serving_and_the_files_and_recovers_when_it_is_restored()
    {
        using var kith = new KithWorkspace(TestInventories.AlphaWithWeb);
        var agentFolder = await AgentEnrollment.EnrollAlphaAndApplyAsync(kith);
        var filesRoot = AgentEnrollment.MakeFilesRoot(kith);
        // A pass every 2 s: without backoff a failing pass would be retried (and logged) every 2 s.
        using var agent = await AgentEnrollment.StartAlphaAsync(kith, agentFolder, filesRoot, "reconcile_interval_seconds: 2");
        using var client = AgentProcess.Client(kith.RootCertificate);
        await AgentEnrollment.PublishAsync(kith, agent);
        var cert = Path.Combine(filesRoot, "var/lib/acme/web/cert.pem");
        await AgentEnrollment.WaitAsync(() => File.Exists(cert), agent);
        var before = FolderSnapshot.Take(filesRoot);

        var keyPath = Path.Combine(agentFolder, "host-ca.key");
        var key = File.ReadAllBytes(keyPath);
        File.WriteAllText(keyPath, "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n");
        var clock = Stopwatch.StartNew();
        await AgentEnrollment.WaitAsync(() => FailedLines(agent) > 0, agent, 10);
        var firstFailure = clock.Elapsed;
        await AgentEnrollment.WaitAsync(() => agent.Log.Contains("still failing (2 in a row)", StringComparison.Ordinal), agent, 15);
        var secondFailure = clock.Elapsed;

        // 5 s minus at most 20 % between the first two attempts, not the 2 s interval; one error, then warnings.
        Assert.True(secondFailure - firstFailure >= TimeSpan.FromSeconds(3.9), $"retried after {(secondFailure - firstFailure).TotalSeconds:0.0} s\n{agent.Log}");
        Assert.Equal(1, FailedLines(agent));
        Assert.Contains("the files on disk stay; retry at", agent.Log, StringComparison.Ordinal);
        using (var health = await client.GetAsync(new Uri(agent.BaseAddress, "/healthz"), TestContext.Current.CancellationToken))
        {
            Assert.Equal(System.Net.HttpStatusCode.OK, health.StatusCode);
        }

        before.AssertUnchanged(FolderSnapshot.Take(filesRoot), "the endpoint files while passes fail");
        var metrics = await client.GetStringAsync(new Uri(agent.BaseAddress, "/metrics"), TestContext.Current.CancellationToken);
        Assert.Contains("\nkith_reconcile_failures_total 2\n", metrics, StringComparison.Ordinal);

        File.WriteAllBytes(keyPath, key);
        // The next attempt is at most 10 s away (the second delay).
        await AgentEnrollment.WaitAsync(() => agent.Log.Contains("succeeded after 2 failed passes", StringComparison.Ordinal), agent, 15);
        Assert.Equal(1, FailedLines(agent));
        before.AssertUnchanged(FolderSnapshot.Take(filesRoot), "the endpoint files after recovery (still current: kept)");
        Assert.True(agent.Terminate() == 0, agent.Log);
    }

    private static int FailedLines(AgentProcess agent) =>
        agent.Log.Split('\n').Count(l => l.Contains("reconcile pass for state version", StringComparison.Ordinal) && l.Contains(" failed: ", StringComparison.Ordinal));
}
