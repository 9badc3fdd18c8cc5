using Kith.IntegrationTests.Support;

namespace Kith.IntegrationTests.Dns;

/// <summary>
/// Machine alpha (role dns) with its agent as a real process serving DNS on a free loopback port, after the
/// operator published the fleet state to it; kdig and dig ask it questions.
/// </summary>
public sealed class ServerAgentFleet : IAsyncLifetime
{
    public const int BigTxtRecords = 10;

    private KithWorkspace? kith;
    private AgentProcess? agent;

    public static string Inventory(string extraRecords = "")
    {
        var big = string.Concat(Enumerable.Range(0, BigTxtRecords).Select(i => $"    - {{ name: big.home.arpa, type: TXT, value: \"{i}-{new string('x', 200)}\" }}\n"));
        return $$"""
            domain: home.arpa
            machines:
              alpha: { addresses: [127.0.0.1], roles: [dns] }
            services:
              music:
                machine: alpha
                endpoints: [music.home.arpa]
                files: { dir: /var/lib/acme/music }
            dns:
              records:

            """ + big + extraRecords;
    }

    internal KithWorkspace Kith => kith ?? throw new InvalidOperationException("not started");

    internal AgentProcess Agent => agent ?? throw new InvalidOperationException("not started");

    public int DnsPort { get; private set; }

    public async ValueTask InitializeAsync()
    {
        kith = new KithWorkspace(Inventory());
        var agentFolder = await AgentEnrollment.EnrollAlphaAndApplyAsync(kith);
        DnsPort = TestProcesses.FreeLoopbackPort();
        agent = await AgentEnrollment.StartAlphaAsync(kith, agentFolder, AgentEnrollment.MakeFilesRoot(kith), $"dns_listen: [127.0.0.1:{DnsPort}]");
        await AgentEnrollment.PublishAsync(kith, agent);
        await agent.WaitForLogAsync("dns: serving the fleet zones on", TimeSpan.FromSeconds(30));
    }

    /// <summary>Runs kdig or dig against the agent: <c>@127.0.0.1 -p PORT</c> then <paramref name="arguments"/>.</summary>
    public async Task<string> AskAsync(string tool, params string[] arguments)
    {
        var result = await UpdateTool.RunAsync(tool, ["@127.0.0.1", "-p", DnsPort.ToString(System.Globalization.CultureInfo.InvariantCulture), tool == "kdig" ? "+timeout=3" : "+time=3", "+retry=0", .. arguments]);
        Assert.True(result.ExitCode == 0, $"{tool} {string.Join(' ', arguments)}: {result}\n{Agent.Log}");
        return result.Output;
    }

    public ValueTask DisposeAsync()
    {
        agent?.Dispose();
        kith?.Dispose();
        return ValueTask.CompletedTask;
    }
}
