using Kith.IntegrationTests.Support;

namespace Kith.IntegrationTests.Dns;

/// <summary>
/// A real agent with <c>resolver: dnsmasq</c>: it keeps the snippet in step with the fleet states it accepts, and
/// runs <c>resolver_reload</c> (here a command counting its runs) only when the file's content changed.
/// </summary>
public sealed class ResolverAgentTests : IDisposable
{
    private const string Alpha = """
        domain: home.arpa
        machines:
          alpha: { addresses: [127.0.0.1] }
          ns1: { addresses: [192.0.2.53]{0} }
        """;

    private readonly KithWorkspace kith = new(Inventory(ns1Roles: string.Empty));

    [Fact]
    public async Task The_agent_writes_the_snippet_when_a_dns_machine_appears_rewrites_it_when_one_is_added_and_reloads_only_then()
    {
        var agentFolder = await AgentEnrollment.EnrollAlphaAndApplyAsync(kith);
        var snippet = kith.File("etc/dnsmasq.d/kith.conf");
        var reloads = kith.File("reloads.txt");
        using var agent = await AgentEnrollment.StartAlphaAsync(kith, agentFolder, AgentEnrollment.MakeFilesRoot(kith), $"""
            resolver: dnsmasq
            resolver_path: {snippet}
            resolver_reload: [sh, -c, "echo reloaded >> '{reloads}'"]
            """);

        // Version 1: no machine has role dns yet; the agent says so and writes nothing.
        await AgentEnrollment.PublishAsync(kith, agent);
        await agent.WaitForLogAsync("no machine has role dns in the fleet state", TimeSpan.FromSeconds(30));
        Assert.False(File.Exists(snippet));

        // Version 2: ns1 gets role dns.
        await ApplyAndPublishAsync(agent, Inventory(ns1Roles: ", roles: [dns]"));
        await agent.WaitForLogAsync("written for state version 2", TimeSpan.FromSeconds(30));
        Assert.Contains("server=/home.arpa/192.0.2.53\n", File.ReadAllText(snippet), StringComparison.Ordinal);
        await AgentEnrollment.WaitAsync(() => Reloads(reloads) == 1, agent);

        // Version 3: a tag changes, the zones and servers do not; the file and the resolver are left alone.
        var before = File.GetLastWriteTimeUtc(snippet);
        await ApplyAndPublishAsync(agent, Inventory(ns1Roles: ", roles: [dns], tags: [rack1]"));
        await agent.WaitForLogAsync("unchanged for state version 3", TimeSpan.FromSeconds(30));
        Assert.Equal(before, File.GetLastWriteTimeUtc(snippet));
        Assert.Equal(1, Reloads(reloads));

        // Version 4: a second dns machine; both are in the rewritten file, and the resolver is reloaded again.
        await ApplyAndPublishAsync(agent, Inventory(ns1Roles: ", roles: [dns], tags: [rack1]") + "  ns2: { addresses: [\"2001:db8::53\"], roles: [dns] }\n");
        await agent.WaitForLogAsync("written for state version 4", TimeSpan.FromSeconds(30));
        var text = File.ReadAllText(snippet);
        Assert.Contains("server=/home.arpa/192.0.2.53\n", text, StringComparison.Ordinal);
        Assert.Contains("server=/home.arpa/2001:db8::53\n", text, StringComparison.Ordinal);
        Assert.Contains("rebind-domain-ok=/home.arpa/\n", text, StringComparison.Ordinal);
        await AgentEnrollment.WaitAsync(() => Reloads(reloads) == 2, agent);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead, File.GetUnixFileMode(snippet));
    }

    [Fact]
    public async Task A_failing_reload_is_one_warning_line_and_the_agent_keeps_serving()
    {
        kith.Inventory = kith.Write("kith.yaml", Inventory(ns1Roles: ", roles: [dns]"));
        var agentFolder = await AgentEnrollment.EnrollAlphaAndApplyAsync(kith);
        var snippet = kith.File("unbound/kith.conf");
        using var agent = await AgentEnrollment.StartAlphaAsync(kith, agentFolder, AgentEnrollment.MakeFilesRoot(kith), $"""
            resolver: unbound
            resolver_path: {snippet}
            resolver_reload: [false]
            """);

        await AgentEnrollment.PublishAsync(kith, agent);
        await agent.WaitForLogAsync("resolver_reload `false` after writing", TimeSpan.FromSeconds(30));

        Assert.Contains("stub-addr: 192.0.2.53@53", File.ReadAllText(snippet), StringComparison.Ordinal);
        var line = agent.Log.Split('\n').Single(l => l.Contains("resolver_reload", StringComparison.Ordinal));
        Assert.Contains("exit code 1", line, StringComparison.Ordinal);
        using var client = AgentProcess.Client(kith.RootCertificate);
        using var health = await client.GetAsync(new Uri(agent.BaseAddress, "/healthz"), TestContext.Current.CancellationToken);
        Assert.True(health.IsSuccessStatusCode, agent.Log);
    }

    public void Dispose() => kith.Dispose();

    private static string Inventory(string ns1Roles) => Alpha.Replace("{0}", ns1Roles, StringComparison.Ordinal) + "\n";

    private static int Reloads(string path) => File.Exists(path) ? File.ReadAllLines(path).Length : 0;

    private async Task ApplyAndPublishAsync(AgentProcess agent, string inventory)
    {
        kith.Inventory = kith.Write("kith.yaml", inventory);
        await kith.SucceedAsync("apply");
        await AgentEnrollment.PublishAsync(kith, agent);
    }
}
