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

    public static async Task<AgentAcme> StartAsync()
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

    public void Dispose()
    {
        agent.Dispose();
        Dns.Dispose();
        kith.Dispose();
    }
}
