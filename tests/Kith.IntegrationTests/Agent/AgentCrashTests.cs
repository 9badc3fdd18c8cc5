using System.Diagnostics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using Kith.IntegrationTests.Support;

namespace Kith.IntegrationTests.Agent;

/// <summary>
/// kill -9 in the middle of renewals: an agent renewing five endpoints on every pass (1-minute certificates,
/// reloads of random length) is SIGKILLed 20 times, half of them the moment a new generation folder appears.
/// After every kill, every endpoint on disk is a complete, matching, verifying set with private keys 0600;
/// a last start recovers and sweeps what the kills left.
/// </summary>
public partial class AgentCrashTests
{
    private const int Endpoints = 5;
    private const int Kills = 20;
    private static readonly string[] FinalNames = ["cert.pem", "chain.pem", "full.pem", "fullchain.pem", "key.pem"];

    [Fact]
    public async Task Killing_the_agent_mid_renewal_twenty_times_never_leaves_a_broken_endpoint_and_it_recovers()
    {
        var services = string.Concat(Enumerable.Range(1, Endpoints).Select(i => $"""

              web{i}:
                machine: alpha
                endpoints: [web{i}.home.arpa]
                files: {"{"} dir: /var/lib/acme/web{i} {"}"}
                reload: ["/bin/sh", "-c", "sleep 0.$(($$ % 4))"]
            """));
        using var kith = new KithWorkspace($"{TestInventories.AlphaOnly}services:{services}\n");
        var agentFolder = await AgentEnrollment.EnrollAlphaAndApplyAsync(kith);

        var filesRoot = kith.File("root");
        var acme = Path.Combine(filesRoot, "var/lib/acme");
        Directory.CreateDirectory(acme);
        // 1-minute certificates are due at once (the 5-minute backdate is part of the lifetime): every pass
        // renews all five, one pass a second.
        var renewing = $"files_root: {filesRoot}\nreconcile_interval_seconds: 1\nleaf_validity_minutes: 1";
        var config = kith.File("agent.yaml");
        using (var first = await AgentProcess.StartAsync(config, "alpha", agentFolder, kith.RootCertificate, renewing))
        {
            var publish = await kith.KithAsync("publish", "--to", first.BaseAddress.ToString());
            Assert.True(publish.ExitCode == 0, $"{publish}\n{first.Log}");
            await AgentEnrollment.WaitAsync(() => Enumerable.Range(1, Endpoints).All(i => File.Exists(Path.Combine(acme, $"web{i}", "cert.pem"))), first);
            first.KillNow();
        }

        var random = new Random(20261123);
        var clock = Stopwatch.StartNew();
        var midWrite = 0;
        var checkedEndpoints = 0;
        for (var kill = 0; kill < Kills; kill++)
        {
            using var agent = await AgentProcess.StartAsync(config, "alpha", agentFolder, kith.RootCertificate, renewing);
            if (kill % 2 == 0)
            {
                await Task.Delay(random.Next(50, 1500), TestContext.Current.CancellationToken);
            }
            else
            {
                // Kill the moment a pass has started staging: a generation folder no endpoint points to yet.
                var until = DateTime.UtcNow + TimeSpan.FromSeconds(3);
                while (OrphanGenerations(acme).Count == 0 && DateTime.UtcNow < until)
                {
                    Thread.SpinWait(100);
                }
            }

            agent.KillNow();
            if (OrphanGenerations(acme).Count > 0)
            {
                midWrite++;
            }

            checkedEndpoints += AssertEveryEndpointIsWhole(acme, agentFolder, kith.RootCertificate, $"after kill {kill + 1}\n{agent.Log}");
        }

        var killPhase = clock.Elapsed;
        Assert.True(midWrite >= 1, $"no kill landed while a pass was writing ({Kills} kills)");

        // Recovery: a normal agent (7-day certificates) renews what the 1-minute ones left, sweeps, then keeps.
        var normal = $"files_root: {filesRoot}\nreconcile_interval_seconds: 300";
        using var recovered = await AgentProcess.StartAsync(config, "alpha", agentFolder, kith.RootCertificate, normal);
        using var client = AgentProcess.Client(kith.RootCertificate);
        await AgentEnrollment.WaitAsync(() => recovered.Log.Contains("reconcile pass for state version", StringComparison.Ordinal), recovered);
        var health = await client.GetAsync(new Uri(recovered.BaseAddress, "/healthz"), TestContext.Current.CancellationToken);
        Assert.Equal(System.Net.HttpStatusCode.OK, health.StatusCode);
        Assert.Equal(Endpoints, AssertEveryEndpointIsWhole(acme, agentFolder, kith.RootCertificate, recovered.Log));
        Assert.Empty(OrphanGenerations(acme));
        Assert.Equal(Endpoints, Directory.GetDirectories(acme, ".web*").Length);
        Assert.Equal(Endpoints, Directory.GetFileSystemEntries(acme, "web*").Length);
        Assert.DoesNotContain(Directory.GetFileSystemEntries(acme), e => Path.GetFileName(e).Contains(".link-", StringComparison.Ordinal));
        var metrics = await client.GetStringAsync(new Uri(recovered.BaseAddress, "/metrics"), TestContext.Current.CancellationToken);
        Assert.Contains("\nkith_reconcile_failures_total 0\n", metrics, StringComparison.Ordinal);
        Assert.Contains($"\nkith_renewed_total {Endpoints}\n", metrics, StringComparison.Ordinal);
        Assert.True(recovered.Terminate() == 0, recovered.Log);
        TestContext.Current.SendDiagnosticMessage($"{Kills} kills in {killPhase.TotalSeconds:0.0} s, {midWrite} with a generation being staged, {checkedEndpoints} endpoint sets checked");
    }

    /// <summary>
    /// Every endpoint folder that exists is a symlink to a complete set: exactly the five files, cert and key a
    /// pair, fullchain = cert + chain, private files 0600, and openssl verify -x509_strict passes (one call for all).
    /// Returns how many endpoints were checked.
    /// </summary>
    private static int AssertEveryEndpointIsWhole(string acme, string agentFolder, string rootPem, string context)
    {
        var certificates = new List<string>();
        for (var i = 1; i <= Endpoints; i++)
        {
            var folder = Path.Combine(acme, $"web{i}");
            if (!Path.Exists(folder))
            {
                continue;
            }

            Assert.True(new FileInfo(folder).LinkTarget is not null, $"{folder} is not a symlink\n{context}");
            var names = Directory.GetFileSystemEntries(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray();
            Assert.True(FinalNames.SequenceEqual(names), $"{folder}: {string.Join(", ", names)}\n{context}");
            var cert = File.ReadAllText(Path.Combine(folder, "cert.pem"));
            var key = File.ReadAllText(Path.Combine(folder, "key.pem"));
            var chain = File.ReadAllText(Path.Combine(folder, "chain.pem"));
            Assert.Equal(cert + chain, File.ReadAllText(Path.Combine(folder, "fullchain.pem")));
            Assert.Equal(key + cert + chain, File.ReadAllText(Path.Combine(folder, "full.pem")));
            using (var certificate = X509Certificate2.CreateFromPem(cert))
            using (var privateKey = ECDsa.Create())
            {
                privateKey.ImportFromPem(key);
                Assert.True(
                    privateKey.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(certificate.PublicKey.ExportSubjectPublicKeyInfo()),
                    $"{folder}: key.pem is not cert.pem's key\n{context}");
            }

            foreach (var secret in new[] { "key.pem", "full.pem" })
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(folder, secret)));
            }

            certificates.Add(Path.Combine(folder, "cert.pem"));
        }

        if (certificates.Count > 0)
        {
            var (code, output) = Openssl.Verify(rootPem, Path.Combine(agentFolder, "host-ca.pem"), certificates[0], [.. certificates.Skip(1)]);
            Assert.True(code == 0 && OkLine().Matches(output).Count == certificates.Count, $"{output}\n{context}");
        }

        return certificates.Count;
    }

    /// <summary>Generation folders beside the endpoint folders that no endpoint symlink points to.</summary>
    private static List<string> OrphanGenerations(string acme)
    {
        try
        {
            var linked = Enumerable.Range(1, Endpoints)
                .Select(i => new FileInfo(Path.Combine(acme, $"web{i}")).LinkTarget)
                .OfType<string>()
                .ToHashSet(StringComparer.Ordinal);
            return [.. Directory.EnumerateDirectories(acme, ".web*").Select(Path.GetFileName).OfType<string>().Where(name => !linked.Contains(name))];
        }
        catch (IOException)
        {
            return [];
        }
    }

    [GeneratedRegex(": OK$", RegexOptions.Multiline)]
    private static partial Regex OkLine();
}
