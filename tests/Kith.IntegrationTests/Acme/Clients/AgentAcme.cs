using Kith.IntegrationTests.Support;
using Microsoft.Data.Sqlite;

namespace Kith.IntegrationTests.Acme.Clients;

/// <summary>
/// A kith agent serving ACME for an ACME client test: machine alpha at 127.0.0.1 (service web, so alpha may certify
/// alpha.home.arpa and web.home.arpa), enrolled, installed and given the fleet state; its http-01 and tls-alpn-01
/// validation ports are the ones the client listens on, and dns-01 TXT records are looked up on a
/// <see cref="ChallengeTestServer"/> the client's hook writes to. Clients trust the fleet Root.
/// </summary>
internal sealed class AgentAcme : IDisposable
{
    private readonly KithWorkspace kith;
    private readonly AgentProcess agent;

    private AgentAcme(KithWorkspace kith, AgentProcess agent, ChallengeTestServer dns, string agentFolder, int httpPort, int tlsPort)
    {
        this.kith = kith;
        this.agent = agent;
        Dns = dns;
        AgentFolder = agentFolder;
        HttpPort = httpPort;
        TlsPort = tlsPort;
    }

    /// <summary>https://127.0.0.1:PORT/acme/directory.</summary>
    public Uri DirectoryUrl => new(agent.BaseAddress, "/acme/directory");

    /// <summary>The fleet Root: what clients trust for the agent's HTTPS, and the anchor issued chains verify against.</summary>
    public string RootFile => kith.RootCertificate;

    public string AgentFolder { get; }

    /// <summary>acme_http01_port: where the agent fetches http-01 responses on 127.0.0.1.</summary>
    public int HttpPort { get; }

    /// <summary>acme_tls_alpn01_port: where the agent makes tls-alpn-01 connections on 127.0.0.1.</summary>
    public int TlsPort { get; }

    /// <summary>The agent's acme_dns_resolvers (its only one).</summary>
    public ChallengeTestServer Dns { get; }

    public string Log => agent.Log;

    /// <summary>A scratch folder for the clients, removed with the workspace.</summary>
    public string Folder(string name) => Directory.CreateDirectory(kith.File(name)).FullName;

    /// <param name="moreConfig">More agent.yaml lines, e.g. acme_external_account_required: true.</param>
    public static async Task<AgentAcme> StartAsync(string? moreConfig = null)
    {
        var kith = new KithWorkspace(TestInventories.AlphaWithWebWithoutFiles);
        ChallengeTestServer? dns = null;
        AgentProcess? agent = null;
        try
        {
            var agentFolder = await AgentEnrollment.EnrollAlphaAndApplyAsync(kith);
            dns = await ChallengeTestServer.StartAsync();
            var httpPort = TestProcesses.FreeLoopbackPort();
            var tlsPort = TestProcesses.FreeLoopbackPort();
            agent = await AgentProcess.StartAsync(kith.File("agent.yaml"), "alpha", agentFolder, kith.RootCertificate, $"""
                acme: true
                acme_http01_port: {httpPort}
                acme_tls_alpn01_port: {tlsPort}
                acme_dns_resolvers: ["{dns.DnsAddress}"]
                {moreConfig}
                """);
            await AgentEnrollment.PublishAsync(kith, agent);
            return new AgentAcme(kith, agent, dns, agentFolder, httpPort, tlsPort);
        }
        catch
        {
            agent?.Dispose();
            dns?.Dispose();
            kith.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The issuance log's word on a certificate (the agent's kith.db, table certificates): its revocation reason
    /// (RFC 5280 code) when revoked, null when not revoked; fails when the serial was never logged.
    /// </summary>
    public async Task<int?> RevocationReasonAsync(string certificatePem)
    {
        using var leaf = IssuedChain.Leaf(certificatePem);
        var serial = leaf.SerialNumber.ToLowerInvariant();
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(AgentFolder, "kith.db")};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync();
        await using var query = connection.CreateCommand();
        query.CommandText = "SELECT revoked_at, revocation_reason FROM certificates WHERE serial_hex = $serial";
        query.Parameters.AddWithValue("$serial", serial);
        await using var row = await query.ExecuteReaderAsync();
        Assert.True(await row.ReadAsync(), $"serial {serial} is not in the agent's issuance log\n{Log}");
        if (row.IsDBNull(0))
        {
            return null;
        }

        return row.IsDBNull(1) ? 0 : row.GetInt32(1);
    }

    /// <summary><c>kith acme certificates --dir AGENT --json</c>: what an operator on the machine sees of one certificate.</summary>
    public async Task<System.Text.Json.JsonElement> ListedAsync(string certificatePem)
    {
        using var leaf = IssuedChain.Leaf(certificatePem);
        var listed = await kith.KithAsync("acme", "certificates", "--dir", AgentFolder, "--json");
        Assert.True(listed.ExitCode == 0, listed.ToString());
        using var rows = System.Text.Json.JsonDocument.Parse(listed.Out);
        return rows.RootElement.EnumerateArray().Single(r => r.GetProperty("serial").GetString() == leaf.SerialNumber.ToLowerInvariant()).Clone();
    }

    /// <summary><c>kith acme eab create --dir AGENT --json</c>: a new External Account Binding key.</summary>
    public async Task<ExternalAccount> CreateExternalAccountAsync()
    {
        var created = await kith.KithAsync("acme", "eab", "create", "--dir", AgentFolder, "--json");
        Assert.True(created.ExitCode == 0, created.ToString());
        using var key = System.Text.Json.JsonDocument.Parse(created.Out);
        return new ExternalAccount(key.RootElement.GetProperty("kid").GetString()!, key.RootElement.GetProperty("hmac_key").GetString()!);
    }

    public void Dispose()
    {
        agent.Dispose();
        Dns.Dispose();
        kith.Dispose();
    }
}
