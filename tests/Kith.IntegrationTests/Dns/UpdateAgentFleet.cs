using Kith.IntegrationTests.Support;

namespace Kith.IntegrationTests.Dns;

/// <summary>
/// Machine alpha (role dns, endpoint music.home.arpa) with its agent as a real process: DNS on a free loopback
/// port, one TSIG key (<see cref="KeyName"/>) allowed to update, and its ACME server validating dns-01 through
/// that same DNS port (acme_dns_resolvers).
/// </summary>
public sealed class UpdateAgentFleet : IAsyncLifetime
{
    public const string KeyName = "acme-update";
    public const string Secret = "q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA=";

    private KithWorkspace? kith;
    private AgentProcess? agent;

    internal KithWorkspace Kith => kith ?? throw new InvalidOperationException("not started");

    internal AgentProcess Agent => agent ?? throw new InvalidOperationException("not started");

    public int DnsPort { get; private set; }

    /// <summary>"127.0.0.1:PORT" of the agent's DNS.</summary>
    public string DnsAddress => $"127.0.0.1:{DnsPort}";

    /// <summary>https://127.0.0.1:PORT/acme/directory.</summary>
    public Uri AcmeDirectory => new(Agent.BaseAddress, "/acme/directory");

    public async ValueTask InitializeAsync()
    {
        kith = new KithWorkspace(ServerAgentFleet.Inventory());
        var agentFolder = await AgentEnrollment.EnrollAlphaAndApplyAsync(kith);
        var secretFile = kith.Write("tsig-acme-update.key", Secret + "\n");
        File.SetUnixFileMode(secretFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        DnsPort = TestProcesses.FreeLoopbackPort();
        var key = $"{{ name: {KeyName}, algorithm: hmac-sha256, secret_file: {secretFile} }}";
        agent = await AgentEnrollment.StartAlphaAsync(kith, agentFolder, AgentEnrollment.MakeFilesRoot(kith), $"""
            dns_listen: [127.0.0.1:{DnsPort}]
            dns_update_keys: [{key}]
            acme: true
            acme_dns_resolvers: ["127.0.0.1:{DnsPort}"]
            """);
        await AgentEnrollment.PublishAsync(kith, agent);
        await agent.WaitForLogAsync("dns: serving the fleet zones on", TimeSpan.FromSeconds(30));
    }

    /// <summary>knsupdate or nsupdate with <paramref name="secret"/> (default: the configured one) sending <paramref name="updates"/>.</summary>
    internal Task<UpdateTool.Result> UpdateAsync(string tool, string zone, string? secret, params string[] updates) =>
        UpdateTool.RunAsync(tool, ["-y", $"hmac-sha256:{KeyName}:{secret ?? Secret}"], UpdateTool.Script(DnsPort, zone, updates));

    /// <summary>The TXT strings kdig +short gets for <paramref name="name"/>.</summary>
    public async Task<string> TxtAsync(string name)
    {
        var result = await UpdateTool.RunAsync("kdig", ["@127.0.0.1", "-p", $"{DnsPort}", "+timeout=3", "+retry=0", "+short", name, "TXT"]);
        Assert.True(result.ExitCode == 0, $"kdig {name} TXT: {result}\n{Agent.Log}");
        return result.Output.Trim();
    }

    public ValueTask DisposeAsync()
    {
        agent?.Dispose();
        kith?.Dispose();
        return ValueTask.CompletedTask;
    }
}
