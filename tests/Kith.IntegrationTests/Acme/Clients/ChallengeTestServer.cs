using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Kith.IntegrationTests.Support;

namespace Kith.IntegrationTests.Acme.Clients;

/// <summary>
/// Debian's pebble-challtestsrv as a test DNS server on loopback: every A question is answered with 127.0.0.1
/// (no AAAA, so validators connect over IPv4), TXT records are set and cleared through its management API.
/// Its HTTP-01, HTTPS and TLS-ALPN-01 responders are turned off: the ACME clients under test answer those.
/// </summary>
internal sealed class ChallengeTestServer : IDisposable
{
    private static readonly HttpClient Management = new() { Timeout = TimeSpan.FromSeconds(10) };

    private readonly ClientProcess process;

    private ChallengeTestServer(ClientProcess process, int dnsPort, int managementPort)
    {
        this.process = process;
        DnsPort = dnsPort;
        ManagementUrl = new Uri($"http://127.0.0.1:{managementPort}/");
    }

    /// <summary>The UDP and TCP port of the DNS server on 127.0.0.1.</summary>
    public int DnsPort { get; }

    /// <summary>"127.0.0.1:PORT", as resolvers are written in client and agent configurations.</summary>
    public string DnsAddress => $"127.0.0.1:{DnsPort}";

    /// <summary>The management API (POST /set-txt, /clear-txt with a JSON body).</summary>
    public Uri ManagementUrl { get; }

    public string Log => process.Output;

    /// <summary>Starts the server on free loopback ports and waits until its management API accepts connections.</summary>
    public static async Task<ChallengeTestServer> StartAsync(TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(20));
        for (var attempt = 1; ; attempt++)
        {
            var dnsPort = TestProcesses.FreeLoopbackPort();
            var managementPort = TestProcesses.FreeLoopbackPort();
            var process = ClientProcess.Start("pebble-challtestsrv", [
                "-defaultIPv4", "127.0.0.1",
                "-defaultIPv6", string.Empty,
                "-dns01", $"127.0.0.1:{dnsPort}",
                "-management", $"127.0.0.1:{managementPort}",
                "-http01", string.Empty,
                "-https01", string.Empty,
                "-tlsalpn01", string.Empty,
            ]);
            while (!process.HasExited && DateTime.UtcNow < deadline && !await AcceptsAsync(managementPort))
            {
                await Task.Delay(50);
            }

            if (!process.HasExited && await AcceptsAsync(managementPort))
            {
                return new ChallengeTestServer(process, dnsPort, managementPort);
            }

            var log = process.Output;
            process.Dispose();

            // A port taken between choosing and binding it: try fresh ports a few times.
            if (attempt >= 3 || DateTime.UtcNow >= deadline)
            {
                throw new InvalidOperationException($"pebble-challtestsrv did not start\n{log}");
            }
        }
    }

    /// <summary>Adds a TXT record; <paramref name="name"/> with or without the final dot.</summary>
    public Task SetTxtAsync(string name, string value) =>
        PostAsync("set-txt", new JsonObject { ["host"] = Fqdn(name), ["value"] = value });

    /// <summary>Removes every TXT record of <paramref name="name"/>.</summary>
    public Task ClearTxtAsync(string name) => PostAsync("clear-txt", new JsonObject { ["host"] = Fqdn(name) });

    /// <summary>
    /// A shell script for lego's exec DNS provider (EXEC_PATH): "present FQDN VALUE" sets the TXT record,
    /// "cleanup FQDN VALUE" clears it, through this server's management API with curl.
    /// </summary>
    public string WriteLegoExecScript(string folder)
    {
        var path = Path.Combine(folder, "dns-txt.sh");
        var url = ManagementUrl.ToString();
        File.WriteAllText(path, $$"""
            #!/bin/sh
            # lego exec provider: $1 is present or cleanup, $2 the record's name, $3 its value.
            set -eu
            case "$1" in
              present) curl -sS -f -X POST -d "{\"host\":\"$2\",\"value\":\"$3\"}" {{url}}set-txt ;;
              cleanup) curl -sS -f -X POST -d "{\"host\":\"$2\"}" {{url}}clear-txt ;;
              *) echo "unknown step $1" >&2; exit 2 ;;
            esac

            """);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    public void Dispose() => process.Dispose();

    private static string Fqdn(string name) => name.EndsWith('.') ? name : name + ".";

    private async Task PostAsync(string path, JsonObject body)
    {
        using var content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        using var response = await Management.PostAsync(new Uri(ManagementUrl, path), content);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException(
                $"pebble-challtestsrv {path}: {((int)response.StatusCode).ToString(CultureInfo.InvariantCulture)} {await response.Content.ReadAsStringAsync()}");
        }
    }

    private static async Task<bool> AcceptsAsync(int port)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
