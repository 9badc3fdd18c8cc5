using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Kith.IntegrationTests.Support;

namespace Kith.IntegrationTests.Acme.Clients;

/// <summary>Choices for a <see cref="PebbleServer"/>.</summary>
internal sealed record PebbleOptions
{
    /// <summary>PEBBLE_VA_ALWAYS_VALID: every challenge is valid without being checked.</summary>
    public bool AlwaysValid { get; init; }

    /// <summary>externalAccountBindingRequired, with these key ids and base64url HMAC keys.</summary>
    public IReadOnlyDictionary<string, string>? ExternalAccountKeys { get; init; }

    /// <summary>A DNS server ("127.0.0.1:PORT") pebble resolves through instead of the pebble-challtestsrv it starts otherwise.</summary>
    public string? DnsServer { get; init; }
}

/// <summary>
/// Debian's pebble (the ACME test server) on free loopback ports, serving HTTPS with a certificate from a CA the
/// test made, resolving names through a <see cref="ChallengeTestServer"/> it starts (every name is 127.0.0.1).
/// Challenges are validated on <see cref="HttpPort"/> (http-01) and <see cref="TlsPort"/> (tls-alpn-01) of
/// 127.0.0.1, where the client under test listens. Everything is stopped and removed on dispose.
/// </summary>
internal sealed class PebbleServer : IDisposable
{
    private readonly TempFolder folder;
    private readonly ChallengeTestServer? dns;
    private readonly ClientProcess process;

    private PebbleServer(TempFolder folder, ChallengeTestServer? dns, ClientProcess process, LoopbackTlsCertificate tls, int port, int managementPort, int httpPort, int tlsPort)
    {
        this.folder = folder;
        this.dns = dns;
        this.process = process;
        CaFile = tls.CaFile;
        DirectoryUrl = new Uri($"https://127.0.0.1:{port}/dir");
        ManagementUrl = new Uri($"https://127.0.0.1:{managementPort}/");
        HttpPort = httpPort;
        TlsPort = tlsPort;
        RootFile = folder.File("pebble-root.pem");
    }

    /// <summary>The ACME directory.</summary>
    public Uri DirectoryUrl { get; }

    /// <summary>The CA file clients must trust to talk HTTPS to pebble (not the CA that signs what pebble issues).</summary>
    public string CaFile { get; }

    /// <summary>Pebble's root of the certificates it issues (from /roots/0 of the management API), for openssl verify.</summary>
    public string RootFile { get; }

    /// <summary>Pebble's management API (roots, cert-status-by-serial, …).</summary>
    public Uri ManagementUrl { get; }

    /// <summary>The port on 127.0.0.1 where pebble fetches http-01 responses.</summary>
    public int HttpPort { get; }

    /// <summary>The port on 127.0.0.1 where pebble makes tls-alpn-01 connections.</summary>
    public int TlsPort { get; }

    /// <summary>The DNS server pebble resolves identifiers and dns-01 TXT records through.</summary>
    public ChallengeTestServer Dns => dns ?? throw new InvalidOperationException("this pebble resolves through PebbleOptions.DnsServer");

    /// <summary>What pebble printed so far.</summary>
    public string Log => process.Output;

    /// <summary>Starts pebble-challtestsrv and pebble, waits for the directory to answer and fetches pebble's root.</summary>
    public static async Task<PebbleServer> StartAsync(PebbleOptions? options = null, TimeSpan? within = null)
    {
        options ??= new PebbleOptions();
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(30));
        var folder = new TempFolder();
        ChallengeTestServer? dns = null;
        try
        {
            dns = options.DnsServer is null ? await ChallengeTestServer.StartAsync() : null;
            var tls = LoopbackTlsCertificate.Create(folder.Path);
            for (var attempt = 1; ; attempt++)
            {
                var (port, managementPort, httpPort, tlsPort) =
                    (TestProcesses.FreeLoopbackPort(), TestProcesses.FreeLoopbackPort(), TestProcesses.FreeLoopbackPort(), TestProcesses.FreeLoopbackPort());
                var config = WriteConfig(folder, tls, options, port, managementPort, httpPort, tlsPort);
                var environment = new Dictionary<string, string>
                {
                    ["PEBBLE_VA_NOSLEEP"] = "1",
                    ["PEBBLE_VA_ALWAYS_VALID"] = options.AlwaysValid ? "1" : "0",

                    // Pebble refuses 5 % of good nonces by default to exercise client retries; a harness wants the
                    // same run every time.
                    ["PEBBLE_WFE_NONCEREJECT"] = "0",
                };
                var process = ClientProcess.Start("pebble", ["-config", config, "-dnsserver", options.DnsServer ?? dns!.DnsAddress], environment, folder.Path);
                var pebble = new PebbleServer(folder, dns, process, tls, port, managementPort, httpPort, tlsPort);
                if (await pebble.WaitUntilReadyAsync(deadline))
                {
                    return pebble;
                }

                var log = process.Output;
                process.Dispose();
                if (attempt >= 3 || DateTime.UtcNow >= deadline)
                {
                    throw new InvalidOperationException($"pebble did not start\n{log}");
                }
            }
        }
        catch
        {
            dns?.Dispose();
            folder.Dispose();
            throw;
        }
    }

    /// <summary>An HTTPS client that trusts only <see cref="CaFile"/>.</summary>
    public HttpClient CreateClient()
    {
        var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
        policy.CustomTrustStore.Add(X509CertificateLoader.LoadCertificateFromFile(CaFile));
        return new HttpClient(new SocketsHttpHandler { SslOptions = new SslClientAuthenticationOptions { CertificateChainPolicy = policy } })
        {
            Timeout = TimeSpan.FromSeconds(10),
        };
    }

    /// <summary>Pebble's word on a certificate: "Valid" or "Revoked" (from /cert-status-by-serial).</summary>
    public async Task<string> CertificateStatusAsync(X509Certificate2 certificate)
    {
        using var client = CreateClient();
        var serial = certificate.SerialNumber.TrimStart('0').ToLowerInvariant();
        var text = await client.GetStringAsync(new Uri(ManagementUrl, $"cert-status-by-serial/{serial}"));
        return JsonNode.Parse(text)?["Status"]?.GetValue<string>() ?? throw new InvalidOperationException($"no Status in {text}");
    }

    public void Dispose()
    {
        process.Dispose();
        dns?.Dispose();
        folder.Dispose();
    }

    private static string WriteConfig(TempFolder folder, LoopbackTlsCertificate tls, PebbleOptions options, int port, int managementPort, int httpPort, int tlsPort)
    {
        var pebble = new JsonObject
        {
            ["listenAddress"] = $"127.0.0.1:{port}",
            ["managementListenAddress"] = $"127.0.0.1:{managementPort}",
            ["certificate"] = tls.CertificateFile,
            ["privateKey"] = tls.KeyFile,
            ["httpPort"] = httpPort,
            ["tlsPort"] = tlsPort,
            ["ocspResponderURL"] = string.Empty,
            ["externalAccountBindingRequired"] = options.ExternalAccountKeys is not null,
        };
        if (options.ExternalAccountKeys is { } keys)
        {
            var mac = new JsonObject();
            foreach (var (kid, key) in keys)
            {
                mac[kid] = key;
            }

            pebble["externalAccountMACKeys"] = mac;
        }

        return folder.Write("pebble-config.json", new JsonObject { ["pebble"] = pebble }.ToJsonString());
    }

    private async Task<bool> WaitUntilReadyAsync(DateTime deadline)
    {
        using var client = CreateClient();
        while (!process.HasExited && DateTime.UtcNow < deadline)
        {
            try
            {
                using var directory = await client.GetAsync(DirectoryUrl);
                var root = await client.GetStringAsync(new Uri(ManagementUrl, "roots/0"));
                if (directory.StatusCode == HttpStatusCode.OK && root.Contains("BEGIN CERTIFICATE", StringComparison.Ordinal))
                {
                    await File.WriteAllTextAsync(RootFile, root);
                    return true;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(50);
        }

        return false;
    }
}
