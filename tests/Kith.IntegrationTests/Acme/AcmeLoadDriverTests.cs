using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Kith.Bench.Acme;
using Kith.IntegrationTests.Support;

namespace Kith.IntegrationTests.Acme;

/// <summary>
/// The bench's ACME load driver (bench/run-acme.sh) against a real pebble with always-valid challenges: its
/// figures are only worth something if every order really ends in a downloaded, checked certificate, and if
/// anything unexpected makes it fail.
/// </summary>
public sealed class AcmeLoadDriverTests : IDisposable
{
    private const string PebblePath = "/usr/bin/pebble";
    private readonly TempFolder folder = new();
    private Process? pebble;

    [Fact]
    public async Task Three_clients_make_every_ordered_certificate_against_pebble_with_no_duplicate_serial()
    {
        var (directory, ca, pid) = StartPebble();
        var report = folder.File("pebble.json");

        var exit = await AcmeLoadDriver.RunAsync(
            ["--directory", directory, "--ca", ca, "--clients", "3", "--orders", "12", "--poll-ms", "20", "--server-pid", pid, "--domain", "alpha.home.arpa", "--label", "pebble", "--json-file", report]);

        Assert.Equal(0, exit);
        using var json = JsonDocument.Parse(File.ReadAllBytes(report));
        var root = json.RootElement;
        Assert.Equal(12, root.GetProperty("certificates").GetInt32());
        Assert.Equal(0, root.GetProperty("duplicate_serials").GetInt32());
        Assert.Empty(root.GetProperty("failures").EnumerateObject());
        Assert.True(root.GetProperty("clean").GetBoolean());
        var latency = root.GetProperty("latency_ms");
        foreach (var type in new[] { "new_order", "authz", "challenge", "finalize", "certificate" })
        {
            Assert.True(latency.GetProperty(type).GetProperty("count").GetInt32() >= 12, $"{type}: fewer requests than orders");
        }

        Assert.True(root.GetProperty("server").GetProperty("vmhwm_mib").GetDouble() > 0);
    }

    [Fact]
    public async Task The_driver_fails_with_the_problem_when_the_server_refuses_the_orders()
    {
        var (directory, ca, _) = StartPebble();
        var report = folder.File("refused.json");

        // pebble refuses a DNS name with an underscore in newOrder (rejectedIdentifier or malformed).
        var exit = await AcmeLoadDriver.RunAsync(
            ["--directory", directory, "--ca", ca, "--clients", "1", "--orders", "2", "--domain", "under_score.test", "--json-file", report]);

        Assert.Equal(1, exit);
        using var json = JsonDocument.Parse(File.ReadAllBytes(report));
        Assert.Equal(0, json.RootElement.GetProperty("certificates").GetInt32());
        var failures = json.RootElement.GetProperty("failures").EnumerateObject().ToList();
        Assert.Equal(2, failures.Sum(f => f.Value.GetInt32()));
        Assert.DoesNotContain(failures, f => f.Name.StartsWith("http-", StringComparison.Ordinal));
        Assert.False(json.RootElement.GetProperty("clean").GetBoolean());
    }

    [Fact]
    public async Task The_driver_refuses_a_server_whose_certificate_the_given_ca_did_not_issue()
    {
        var (directory, _, _) = StartPebble();
        var otherCa = MakeCa("other");

        var exit = await AcmeLoadDriver.RunAsync(["--directory", directory, "--ca", otherCa, "--clients", "1", "--orders", "1"]);

        Assert.Equal(1, exit);
    }

    private (string Directory, string Ca, string Pid) StartPebble()
    {
        Assert.SkipWhen(!File.Exists(PebblePath), "pebble is not installed (Debian: apt-get install pebble)");
        var ca = MakeCa("tls");
        Check(Openssl.Run("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", folder.File("key.pem"),
            "-out", folder.File("server.csr"), "-subj", "/CN=127.0.0.1"));
        var extensions = folder.Write("server.ext", "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
        Check(Openssl.Run("x509", "-req", "-in", folder.File("server.csr"), "-CA", ca, "-CAkey", folder.File("tls-ca.key"), "-CAcreateserial",
            "-days", "1", "-out", folder.File("cert.pem"), "-extfile", extensions));

        var port = TestProcesses.FreeLoopbackPort();
        var config = folder.Write("pebble.json", string.Create(CultureInfo.InvariantCulture, $$"""
            {"pebble": {"listenAddress": "127.0.0.1:{{port}}", "managementListenAddress": "",
              "certificate": "{{folder.File("cert.pem")}}", "privateKey": "{{folder.File("key.pem")}}",
              "httpPort": {{TestProcesses.FreeLoopbackPort()}}, "tlsPort": {{TestProcesses.FreeLoopbackPort()}},
              "ocspResponderURL": "", "externalAccountBindingRequired": false } }
            """));
        var start = new ProcessStartInfo(PebblePath) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-config");
        start.ArgumentList.Add(config);
        start.Environment["PEBBLE_VA_ALWAYS_VALID"] = "1";
        start.Environment["PEBBLE_VA_NOSLEEP"] = "1";
        pebble = Process.Start(start)!;
        pebble.OutputDataReceived += (_, _) => { };
        pebble.ErrorDataReceived += (_, _) => { };
        pebble.BeginOutputReadLine();
        pebble.BeginErrorReadLine();

        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var probe = new TcpClient();
                probe.Connect(IPAddress.Loopback, port);
                break;
            }
            catch (SocketException) when (deadline.Elapsed < TimeSpan.FromSeconds(30) && !pebble.HasExited)
            {
                Thread.Sleep(100);
            }
        }

        return ($"https://127.0.0.1:{port}/dir", ca, pebble.Id.ToString(CultureInfo.InvariantCulture));
    }

    private string MakeCa(string name)
    {
        Check(Openssl.Run("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", folder.File($"{name}-ca.key"),
            "-out", folder.File($"{name}-ca.pem"), "-subj", $"/CN={name} test CA", "-days", "1",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign"));
        return folder.File($"{name}-ca.pem");
    }

    private static void Check((int ExitCode, string Output) run) => Assert.True(run.ExitCode == 0, run.Output);

    public void Dispose()
    {
        if (pebble is not null)
        {
            TestProcesses.KillAndDispose(pebble);
        }

        folder.Dispose();
    }
}
