using System.Text.Json;
using Kith.IntegrationTests.Support;

namespace Kith.IntegrationTests.Cli;

/// <summary>
/// <c>kith status</c> against real agent processes on loopback: reachable with its state version and endpoint
/// status, an enrolled machine whose agent is down, a failing reload, and an agent of another Root.
/// </summary>
public class StatusTests
{
    private const string Fleet = TestInventories.ThreeMachinesWebOnAlpha + """

            reload: ["true"]
        """;

    [Fact]
    public async Task Status_shows_each_agent_reachable_or_unreachable_its_state_version_and_a_failing_reload_with_its_reason()
    {
        using var kith = new KithWorkspace(Fleet);
        var alphaFolder = await AgentEnrollment.EnrollAlphaAndApplyAsync(kith);
        var filesRoot = AgentEnrollment.MakeFilesRoot(kith);
        using var agent = await AgentEnrollment.StartAlphaAsync(kith, alphaFolder, filesRoot);
        var port = agent.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await AgentEnrollment.PublishAsync(kith, agent);
        await PollAsync(kith, agent, json => EndpointStatus(json, "alpha", "web") == "ok", "--port", port);

        // Every enrolled agent reachable, nothing failing: exit 0. beta and gamma have no agent enrolled.
        var good = await kith.KithAsync("status", "--port", port);
        Assert.True(good.ExitCode == 0, $"{good}\n{agent.Log}");
        Assert.Matches(@"MACHINE\s+AGENT\s+STATE\s+HOST CA\s+ENDPOINTS\n", good.Out);
        Assert.Matches(@"\nalpha\s+reachable\s+1\s+\d{4}-\d\d-\d\d \(\d+d\)\s+1 ok\n", good.Out);
        // beta's Host CA is the operator's (all-in-one): its expiry comes from the state folder.
        Assert.Matches(@"\nbeta\s+no agent\s+-\s+\d{4}-\d\d-\d\d \(\d+d\)\s+-\n", good.Out);
        Assert.Matches(@"\ngamma\s+no agent\s", good.Out);

        // beta enrolled, its agent never started; apply writes version 2, which alpha has not received.
        await AgentEnrollment.EnrollAsync(kith, "beta", install: false);
        await kith.SucceedAsync("apply");
        var down = await kith.KithAsync("status", "--port", port, "--timeout", "3s");
        Assert.True(down.ExitCode == 1, down.ToString());
        Assert.Matches(@"\nalpha\s+reachable\s+1, behind \(latest 2\)\s+.*\s1 ok\n", down.Out);
        Assert.Matches(@"\nbeta\s+unreachable: \S.*\n", down.Out);
        Assert.Contains("1 of 2 agent(s) reachable", down.Out, StringComparison.Ordinal);
        CliRun.AssertNoStackTrace(down);

        var json = await kith.KithAsync("status", "--port", port, "--timeout", "3s", "--json");
        Assert.True(json.ExitCode == 1, json.ToString());
        using (var document = JsonDocument.Parse(json.Out))
        {
            var root = document.RootElement;
            Assert.Equal(2, root.GetProperty("latest_version").GetInt64());
            Assert.False(root.GetProperty("ok").GetBoolean());
            var alpha = Machine(root, "alpha");
            Assert.Equal("reachable", alpha.GetProperty("agent").GetString());
            Assert.Equal($"https://alpha.home.arpa:{port}/healthz", alpha.GetProperty("url").GetString());
            Assert.Equal(1, alpha.GetProperty("state_version").GetInt64());
            Assert.True(alpha.GetProperty("behind").GetBoolean());
            Assert.True(alpha.GetProperty("healthy").GetBoolean());
            Assert.Equal("agent", alpha.GetProperty("host_ca_source").GetString());
            Assert.InRange(alpha.GetProperty("host_ca_days_left").GetInt32(), 300, 366);
            Assert.Equal(JsonValueKind.String, alpha.GetProperty("last_reconcile").ValueKind);
            var web = alpha.GetProperty("endpoints")[0];
            Assert.Equal("web", web.GetProperty("service").GetString());
            Assert.Equal("ok", web.GetProperty("status").GetString());
            Assert.Equal(["web.home.arpa"], web.GetProperty("names").EnumerateArray().Select(n => n.GetString()));
            Assert.Equal(Path.Combine(filesRoot, "var/lib/acme/web"), web.GetProperty("folder").GetString());
            Assert.Equal(Serial(Path.Combine(filesRoot, "var/lib/acme/web/cert.pem")), web.GetProperty("serial").GetString());
            Assert.True(web.GetProperty("not_after").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddDays(6));
            var beta = Machine(root, "beta");
            Assert.Equal("unreachable", beta.GetProperty("agent").GetString());
            Assert.False(string.IsNullOrWhiteSpace(beta.GetProperty("detail").GetString()));
            Assert.Equal("operator", beta.GetProperty("host_ca_source").GetString());
            Assert.Equal("no_agent", Machine(root, "gamma").GetProperty("agent").GetString());
        }

        // web moves folder and its reload now fails: the agent writes the new files, the reload exits 1.
        kith.Inventory = kith.Write("kith.yaml", Fleet.Replace("dir: /var/lib/acme/web }", "dir: /var/lib/acme/web2 }", StringComparison.Ordinal).Replace("[\"true\"]", "[\"false\"]", StringComparison.Ordinal));
        await kith.SucceedAsync("apply");
        await AgentEnrollment.PublishAsync(kith, agent);
        await PollAsync(kith, agent, json => EndpointStatus(json, "alpha", "web") == "failing", "--agent", $"alpha=https://127.0.0.1:{port}", "--port", port);

        var failing = await kith.KithAsync("status", "--agent", $"alpha=https://127.0.0.1:{port}", "--port", port, "--timeout", "3s");
        Assert.True(failing.ExitCode == 1, failing.ToString());
        Assert.Matches(@"\nalpha\s+reachable\s+3\s+.*\s1 failing\n", failing.Out);
        Assert.Matches(@"\nalpha/web: failing: reload failed: false: exit code 1; retry at \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ\n", failing.Out);
        Assert.True(agent.Terminate() == 0, agent.Log);
    }

    [Fact]
    public async Task Status_calls_an_agent_whose_certificate_does_not_chain_to_this_root_untrusted()
    {
        using var kith = new KithWorkspace(Fleet);
        await kith.SucceedAsync("init");
        using var other = new KithWorkspace(Fleet);
        await other.SucceedAsync("init");
        var foreignFolder = await AgentEnrollment.EnrollAsync(other, "alpha");
        using var foreign = await AgentProcess.StartAsync(other.File("agent.yaml"), "alpha", foreignFolder, other.RootCertificate);

        var status = await kith.KithAsync("status", "--agent", $"alpha=https://127.0.0.1:{foreign.Port}");

        Assert.True(status.ExitCode == 1, status.ToString());
        Assert.Matches(@"\nalpha\s+untrusted\s+-\s+-\s+-\n", status.Out);
        Assert.Matches(@"\nalpha: agent untrusted \(https://alpha\.home\.arpa:\d+/healthz\): .*certificate", status.Out);
        CliRun.AssertNoStackTrace(status);
    }

    [Fact]
    public async Task Status_refuses_a_malformed_agent_override_or_timeout_as_a_usage_error_and_an_unknown_machine_clearly()
    {
        using var kith = new KithWorkspace(Fleet);
        await kith.SucceedAsync("init");

        CliRun.AssertUsageError(await kith.KithAsync("status", "--agent", "alpha"), "--agent", "MACHINE=https://IP:PORT");
        CliRun.AssertUsageError(await kith.KithAsync("status", "--agent", "alpha=http://127.0.0.1:8555"), "--agent", "https");
        CliRun.AssertUsageError(await kith.KithAsync("status", "--timeout", "5x"), "--timeout", "duration");
        CliRun.AssertUsageError(await kith.KithAsync("status", "--timeout", "0s"), "--timeout");
        CliRun.AssertUsageError(await kith.KithAsync("status", "--timeout", "1h"), "--timeout", "10m");
        CliRun.AssertUsageError(await kith.KithAsync("status", "--port", "0"), "--port");
        CliRun.AssertCleanFailure(await kith.KithAsync("status", "--agent", "omega=https://127.0.0.1:8555"), 1, "omega", "inventory");
    }

    private static JsonElement Machine(JsonElement root, string name) =>
        root.GetProperty("machines").EnumerateArray().Single(m => m.GetProperty("machine").GetString() == name);

    private static string? EndpointStatus(JsonElement root, string machine, string service) =>
        Machine(root, machine).GetProperty("endpoints").EnumerateArray()
            .Where(e => e.GetProperty("service").GetString() == service)
            .Select(e => e.GetProperty("status").GetString())
            .FirstOrDefault();

    private static string Serial(string cert)
    {
        var (code, output) = Openssl.Run("x509", "-in", cert, "-noout", "-serial");
        Assert.True(code == 0, output);
        return output.Trim()["serial=".Length..].ToLowerInvariant();
    }

    /// <summary>Runs <c>kith status --json</c> until <paramref name="done"/> holds (30 s at most).</summary>
    private static async Task PollAsync(KithWorkspace kith, AgentProcess agent, Func<JsonElement, bool> done, params string[] args)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var result = await kith.KithAsync(["status", "--json", .. args]);
            using (var document = JsonDocument.Parse(result.Out))
            {
                if (done(document.RootElement))
                {
                    return;
                }
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"not reached within 30 s; last:\n{result}\n{agent.Log}");
            }

            await Task.Delay(200, TestContext.Current.CancellationToken);
        }
    }
}
