using System.Security.Cryptography;
using Kith.IntegrationTests.Support;
using Kith.Operator;
using Kith.Pki;

namespace Kith.IntegrationTests.Revocation;

/// <summary>
/// Machine alpha's agent as a real process with its revocation listener on a free loopback port, and two
/// services (app and ops, kind both: server and client certificates) the agent issued under files_root.
/// </summary>
internal sealed class RevocationFleet : IDisposable
{
    private const string InventoryText = """
        domain: home.arpa
        machines:
          alpha: { addresses: [127.0.0.1] }
        services:
          app:
            machine: alpha
            kind: both
            endpoints: [app.home.arpa]
            files: { dir: /var/lib/acme/app }
          ops:
            machine: alpha
            kind: both
            endpoints: [ops.home.arpa]
            files: { dir: /var/lib/acme/ops }
        """;

    private RevocationFleet(KithWorkspace kith, string agentFolder, string filesRoot, int crlPort)
    {
        Kith = kith;
        AgentFolder = agentFolder;
        FilesRoot = filesRoot;
        CrlPort = crlPort;
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{crlPort}") };
    }

    public KithWorkspace Kith { get; }

    public string AgentFolder { get; }

    public string FilesRoot { get; }

    public int CrlPort { get; }

    public AgentProcess Agent { get; private set; } = null!;

    /// <summary>A plain-HTTP client for the revocation listener.</summary>
    public HttpClient Http { get; }

    public string HostCaPem => Path.Combine(AgentFolder, "host-ca.pem");

    /// <summary>init, enrol alpha, apply, start its agent, publish, and wait for both endpoint certificates.</summary>
    public static async Task<RevocationFleet> StartAsync()
    {
        var kith = new KithWorkspace(InventoryText);
        try
        {
            var agentFolder = await AgentEnrollment.EnrollAlphaAndApplyAsync(kith);
            var fleet = new RevocationFleet(kith, agentFolder, AgentEnrollment.MakeFilesRoot(kith), TestProcesses.FreeLoopbackPort());
            await fleet.StartAgentAsync();
            await AgentEnrollment.PublishAsync(kith, fleet.Agent);
            await AgentEnrollment.WaitAsync(() => File.Exists(fleet.Cert("app")) && File.Exists(fleet.Cert("ops")), fleet.Agent);
            return fleet;
        }
        catch
        {
            kith.Dispose();
            throw;
        }
    }

    /// <summary>(Re)starts the agent with the same config.</summary>
    public async Task StartAgentAsync() =>
        Agent = await AgentEnrollment.StartAlphaAsync(Kith, AgentFolder, FilesRoot, $"revocation_listen: [127.0.0.1:{CrlPort}]\nreconcile_interval_seconds: 300");

    public string Endpoint(string service) => Path.Combine(FilesRoot, "var/lib/acme", service);

    public string Cert(string service) => Path.Combine(Endpoint(service), "cert.pem");

    /// <summary>The serial openssl prints (upper-case hex).</summary>
    public static string SerialOf(string certPem)
    {
        var (code, output) = Openssl.Run("x509", "-in", certPem, "-noout", "-serial");
        Assert.True(code == 0, output);
        return output.Trim()["serial=".Length..];
    }

    public async Task<byte[]> DownloadHostCrlAsync()
    {
        using var response = await Http.GetAsync(new Uri("/crl/alpha.crl", UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}\n{Agent.Log}");
        return await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken);
    }

    /// <summary>openssl crl -text of a DER CRL.</summary>
    public string CrlText(byte[] der)
    {
        var path = Kith.File($"crl-{Guid.NewGuid():N}.der");
        File.WriteAllBytes(path, der);
        var (code, output) = Openssl.Run("crl", "-inform", "DER", "-in", path, "-noout", "-text");
        Assert.True(code == 0, output);
        return output;
    }

    /// <summary>Polls the agent's CRL until it lists <paramref name="serialUpper"/>; returns it.</summary>
    public async Task<byte[]> WaitForRevokedAsync(string serialUpper, int seconds = 15)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(seconds);
        while (true)
        {
            var der = await DownloadHostCrlAsync();
            if (CrlText(der).Contains($"Serial Number: {serialUpper}", StringComparison.Ordinal))
            {
                return der;
            }

            Assert.True(DateTime.UtcNow < deadline, $"the CRL did not list {serialUpper} within {seconds} s\n{Agent.Log}");
            await Task.Delay(200, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>An empty Root CRL signed with the Root key, as the operator publishes one (openssl's crl_check_all needs one per level).</summary>
    public byte[] SignRootCrl()
    {
        using var root = RootStore.Open(new StateFolder(Kith.State), new Passphrase(Kith.PassphraseFile, null));
        var now = DateTimeOffset.UtcNow;
        return RevocationListSigner.Sign(root, [], 1, now, now.AddDays(90));
    }

    public static string Pem(byte[] crl) => PemEncoding.WriteString("X509 CRL", crl) + "\n";

    public void Dispose()
    {
        Http.Dispose();
        Agent?.Dispose();
        Kith.Dispose();
    }
}
