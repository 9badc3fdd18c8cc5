using System.Text.Json;
using Kith.IntegrationTests.Support;

namespace Kith.IntegrationTests.Cli;

/// <summary>
/// <c>kith publish</c> without <c>--to</c>: the state goes to every enrolled machine's agent (a real agent
/// process on loopback), verified by its machine name; an enrolled machine whose agent is down is reported
/// unreachable with exit 1; with no enrolled machine the command says what to do.
/// </summary>
public class PublishToMachinesTests
{
    [Fact]
    public async Task Publish_without_to_reaches_every_enrolled_agent_and_reports_one_that_is_down_as_unreachable()
    {
        using var kith = new KithWorkspace(TestInventories.ThreeMachinesWebOnAlpha);
        var alphaFolder = await AgentEnrollment.EnrollAlphaAndApplyAsync(kith);
        using var agent = await AgentEnrollment.StartAlphaAsync(kith, alphaFolder, AgentEnrollment.MakeFilesRoot(kith), "peer_sync: false");
        var port = agent.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);

        // alpha is the only enrolled machine: its agent is reached at alpha.home.arpa, connected to 127.0.0.1.
        var first = await kith.KithAsync("publish", "--port", port);
        Assert.True(first.ExitCode == 0, $"{first}\n{agent.Log}");
        Assert.Matches($@"\nhttps://alpha\.home\.arpa:{port}/state\s+accepted\s+version 1\n", first.Out);
        Assert.Contains("published to 1 agent", first.Out, StringComparison.Ordinal);
        Assert.Equal(File.ReadAllBytes(Path.Combine(kith.State, "fleet-state.json")), File.ReadAllBytes(Path.Combine(alphaFolder, "state.json")));

        // beta enrolled, its agent never started (nothing listens on 127.0.0.2); apply writes version 2.
        await AgentEnrollment.EnrollAsync(kith, "beta", install: false);
        await kith.SucceedAsync("apply");

        // --agent points alpha at its address; beta is tried at its inventory address 127.0.0.2 on --port,
        // where nothing listens (the agent binds 127.0.0.1 only).
        var second = await kith.KithAsync("publish", "--agent", $"alpha=https://127.0.0.1:{port}", "--port", port, "--json");
        Assert.True(second.ExitCode == 1, $"{second}\n{agent.Log}");
        CliRun.AssertNoStackTrace(second);
        using (var rows = JsonDocument.Parse(second.Out))
        {
            var byTarget = rows.RootElement.EnumerateArray().ToDictionary(r => r.GetProperty("target").GetString()!, r => r);
            Assert.Equal(2, byTarget.Count);
            var alpha = byTarget[$"https://alpha.home.arpa:{port}/state"];
            Assert.Equal("accepted", alpha.GetProperty("outcome").GetString());
            Assert.Equal(2, alpha.GetProperty("version").GetInt64());
            var beta = byTarget[$"https://beta.home.arpa:{port}/state"];
            Assert.Equal("unreachable", beta.GetProperty("outcome").GetString());
            Assert.False(string.IsNullOrWhiteSpace(beta.GetProperty("detail").GetString()));
        }

        Assert.Equal(File.ReadAllBytes(Path.Combine(kith.State, "fleet-state.json")), File.ReadAllBytes(Path.Combine(alphaFolder, "state.json")));
        var table = await kith.KithAsync("publish", "--agent", $"alpha=https://127.0.0.1:{port}", "--port", port);
        Assert.True(table.ExitCode == 1, table.ToString());
        Assert.Matches($@"\nhttps://alpha\.home\.arpa:{port}/state\s+refused \(not_newer\)", table.Out);
        Assert.Matches($@"\nhttps://beta\.home\.arpa:{port}/state\s+unreachable\s+\S", table.Out);
        Assert.Contains("2 of 2 agents did not accept the state", table.Out, StringComparison.Ordinal);
        Assert.True(agent.Terminate() == 0, agent.Log);
    }

    [Fact]
    public async Task Publish_without_to_and_without_an_enrolled_machine_says_what_to_do_and_to_with_agent_is_refused()
    {
        using var kith = new KithWorkspace(TestInventories.ThreeMachinesWebOnAlpha);
        await kith.SucceedAsync("init");
        await kith.SucceedAsync("apply");

        CliRun.AssertCleanFailure(await kith.KithAsync("publish"), 1, "no machine", "enrolled agent", "kith machine sign", "--to");
        CliRun.AssertCleanFailure(await kith.KithAsync("publish", "--to", "https://127.0.0.1:8555", "--agent", "alpha=https://127.0.0.1:8555"), 1, "--to", "--agent");
        CliRun.AssertCleanFailure(await kith.KithAsync("publish", "--agent", "omega=https://127.0.0.1:8555"), 1, "omega", "inventory");
        CliRun.AssertUsageError(await kith.KithAsync("publish", "--agent", "alpha"), "--agent", "MACHINE=https://IP:PORT");
        CliRun.AssertUsageError(await kith.KithAsync("publish", "--port", "70000"), "--port");
    }
}
