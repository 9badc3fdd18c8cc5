using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Kith.Fleet;
using Kith.IntegrationTests.Support;

namespace Kith.IntegrationTests.Agent;

/// <summary>
/// Three agents as separate processes, each on its own address: a state published to one reaches all by peer
/// sync; an endpoint added to one machine makes only that machine issue; a lower version is refused.
/// </summary>
public class PeerSyncTests(ITestOutputHelper output)
{
    private static readonly string[] Machines = ["alpha", "beta", "gamma"];

    /// <summary>A configured peer on a port where nothing listens (in the test's network or beta's namespace).</summary>
    private const string DeadPeer = "delta=https://127.0.0.1:1";

    private static readonly TimeSpan ConvergenceBound = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_state_published_to_one_agent_on_loopback_reaches_all_three_and_a_new_endpoint_is_issued_only_by_its_machine()
    {
        using var network = new LoopbackNetwork(Machines.Length);
        await RunAsync(network);
    }

    [Fact]
    public async Task The_same_across_three_network_namespaces_with_their_own_addresses()
    {
        using var network = NamespaceNetwork.TryCreate(Machines.Length, out var whyNot);
        if (network is null)
        {
            Assert.Skip($"skipped: {whyNot} (the loopback variant covers the same on any machine)");
        }

        await RunAsync(network);
    }

    [Fact]
    public async Task A_peer_serving_a_state_that_does_not_verify_is_refused_and_logged_and_the_next_peer_gives_the_good_one()
    {
        using var network = new LoopbackNetwork(Machines.Length);
        using var kith = new KithWorkspace(Inventory(network, betaExtraName: null));
        var folders = await InitAndEnrollAllAsync(kith);
        await kith.SucceedAsync("apply");
        var good = File.ReadAllBytes(Path.Combine(kith.State, "fleet-state.json"));

        // Beta holds (as if its disk was tampered with) the same state claiming version 99: the signature no
        // longer matches. Its agent serves the copy it holds without checking it again; with peer sync off it
        // never replaces it.
        File.WriteAllBytes(Path.Combine(folders[1], "state.json"), WithVersion(good, 99));
        var agents = new List<AgentProcess>();
        try
        {
            string Config(int i, string more) =>
                $"files_root: {kith.File($"files-{Machines[i]}")}\nreconcile_interval_seconds: 300\npeer_port: {network.Port}\npeer_interval_seconds: 1\n{more}";
            var peers = $"peers: [\"beta=https://{network.Address(1)}:{network.Port}\", \"alpha=https://{network.Address(0)}:{network.Port}\"]";
            string[] more = ["peer_sync: false", "peer_sync: false", peers];
            for (var i = 0; i < Machines.Length; i++)
            {
                agents.Add(await AgentProcess.StartAsync(
                    kith.File($"agent-{Machines[i]}.yaml"), Machines[i], folders[i], kith.RootCertificate, Config(i, more[i]), (network.Address(i), network.Port)));
            }

            await PublishAsync(network, kith, kith.State, agents[0]);

            // Gamma asks beta and alpha (random order) in every round: beta's state is refused, alpha's accepted;
            // then, holding version 1, it still asks beta (a machine of the state) and refuses it again.
            await WaitForAsync(() => agents[2].Log.Contains("fleet state refused (bad_signature) from peer beta", StringComparison.Ordinal), "gamma refuses beta's state", agents[2]);
            await ConvergeAsync(network, [agents[0], agents[2]], [folders[0], folders[2]], 1);
            Assert.Equal(good, File.ReadAllBytes(Path.Combine(folders[2], "state.json")));
            await agents[2].WaitForLogAsync("fleet state version 1 accepted from peer alpha", ConvergenceBound);
            using var client = AgentProcess.Client(kith.RootCertificate);
            var metrics = await client.GetStringAsync(new Uri(agents[2].BaseAddress, "/metrics"), TestContext.Current.CancellationToken);
            Assert.Matches(@"\nkith_peer_pulls_total\{result=""refused""\} [1-9]\d*\n", metrics);
            Assert.Matches(@"\nkith_state_refused_total\{reason=""bad_signature""\} [1-9]\d*\n", metrics);
            Assert.Contains("\nkith_peer_pulls_total{result=\"accepted\"} 1\n", metrics, StringComparison.Ordinal);
            Assert.Contains("\nkith_state_version 1\n", metrics, StringComparison.Ordinal);

            // With peer_sync: false, alpha and beta never asked anyone.
            Assert.DoesNotContain("peer sync:", agents[0].Log, StringComparison.Ordinal);
            Assert.DoesNotContain("accepted from peer", agents[1].Log, StringComparison.Ordinal);
            var alphaMetrics = await client.GetStringAsync(new Uri(agents[0].BaseAddress, "/metrics"), TestContext.Current.CancellationToken);
            Assert.DoesNotContain("\nkith_last_sync_timestamp_seconds ", alphaMetrics, StringComparison.Ordinal);
            Assert.Contains("\nkith_peer_pulls_total{result=\"not_newer\"} 0\n", alphaMetrics, StringComparison.Ordinal);
        }
        finally
        {
            foreach (var agent in agents)
            {
                agent.Dispose();
            }
        }
    }

    private async Task RunAsync(IAgentNetwork network)
    {
        using var kith = new KithWorkspace(Inventory(network, betaExtraName: null));
        var folders = await InitAndEnrollAllAsync(kith);
        await kith.SucceedAsync("apply");
        var agents = new List<AgentProcess>();
        try
        {
            var filesRoots = new string[Machines.Length];
            for (var i = 0; i < Machines.Length; i++)
            {
                filesRoots[i] = kith.File($"files-{Machines[i]}");
                Directory.CreateDirectory(filesRoots[i]);
                var extra = $"files_root: {filesRoots[i]}\nreconcile_interval_seconds: 300\npeer_port: {network.Port}\npeer_interval_seconds: 1";
                if (i > 0)
                {
                    // A freshly installed agent holds no state, so knows no machines: it is told where alpha is.
                    // Beta is also told of a peer where nothing listens: logged once, not on every round.
                    extra += $"\npeers: [\"alpha=https://{network.Address(0)}:{network.Port}\"{(i == 1 ? $", \"{DeadPeer}\"" : string.Empty)}]";
                }

                agents.Add(await AgentProcess.StartAsync(
                    kith.File($"agent-{Machines[i]}.yaml"), Machines[i], folders[i], kith.RootCertificate, extra, (network.Address(i), network.Port), network.Launcher(i)));
            }

            // Publish to alpha only: peer sync brings the state to beta and gamma.
            var first = OperatorVersion(kith);
            var clock = Stopwatch.StartNew();
            await PublishAsync(network, kith, kith.State, agents[0]);
            var published = clock.Elapsed;
            await ConvergeAsync(network, agents, folders, first);
            Report(network, first, published, clock.Elapsed);

            for (var i = 0; i < Machines.Length; i++)
            {
                await agents[i].WaitForLogAsync($"reconcile pass for state version {first}: 1 issued, 0 renewed, 0 kept, 0 failed", ConvergenceBound);
                AssertVerifies(kith, filesRoots[i], Machines[i]);
                Assert.Equal([$"web-{Machines[i]}"], EndpointFolders(filesRoots[i]));
            }

            Assert.Contains($"fleet state version {first} accepted from peer ", agents[1].Log, StringComparison.Ordinal);
            Assert.Contains($"fleet state version {first} accepted from peer ", agents[2].Log, StringComparison.Ordinal);
            var v1Envelope = File.ReadAllBytes(Path.Combine(folders[0], "state.json"));
            var untouched = new[] { 0, 2 }.ToDictionary(i => i, i => Snapshot(folders[i], filesRoots[i], Machines[i]));

            // An endpoint added to beta's service only: apply, publish to alpha only.
            kith.Inventory = kith.Write("fleet.yaml", Inventory(network, betaExtraName: "api-beta.home.arpa"));
            await kith.SucceedAsync("apply");
            var second = OperatorVersion(kith);
            Assert.True(second > first, $"apply should write a newer state than {first}, wrote {second}");
            clock.Restart();
            await PublishAsync(network, kith, kith.State, agents[0]);
            published = clock.Elapsed;
            await ConvergeAsync(network, agents, folders, second);
            Report(network, second, published, clock.Elapsed);

            foreach (var i in new[] { 0, 1, 2 })
            {
                await agents[i].WaitForLogAsync($"reconcile pass for state version {second}: ", ConvergenceBound);
            }

            await WaitForAsync(
                () => Openssl.Run("x509", "-in", Path.Combine(EndpointFolder(filesRoots[1], "beta"), "cert.pem"), "-noout", "-ext", "subjectAltName").Output.Contains("DNS:api-beta.home.arpa", StringComparison.Ordinal),
                "beta's certificate names api-beta.home.arpa",
                agents[1]);
            AssertVerifies(kith, filesRoots[1], "beta");
            Assert.Contains("host CA: installed a newer certificate", agents[1].Log, StringComparison.Ordinal);
            foreach (var (i, before) in untouched)
            {
                Assert.Contains($"reconcile pass for state version {second}: 0 issued, 0 renewed, 1 kept", agents[i].Log, StringComparison.Ordinal);
                Assert.DoesNotContain("host CA: installed", agents[i].Log, StringComparison.Ordinal);
                Assert.Equal(before, Snapshot(folders[i], filesRoots[i], Machines[i]));
                Assert.Equal([$"web-{Machines[i]}"], EndpointFolders(filesRoots[i]));
            }

            if (network.Launcher(0) is null)
            {
                await AssertPeerMetricsAsync(kith, agents[1]);
            }

            // A lower version pushed to gamma is refused; gamma keeps its state, also after a few peer rounds.
            var stale = kith.File("stale-state");
            Directory.CreateDirectory(Path.Combine(stale, "root"));
            File.WriteAllBytes(Path.Combine(stale, "fleet-state.json"), v1Envelope);
            File.Copy(kith.RootCertificate, Path.Combine(stale, "root", "root-ca.pem"));
            var gammaHeld = File.ReadAllBytes(Path.Combine(folders[2], "state.json"));
            var refused = await OperatorAsync(network, "publish", "--to", agents[2].BaseAddress.ToString(), "--state", stale);
            Assert.True(refused.ExitCode == 1, refused.ToString());
            Assert.Contains("refused (not_newer)", refused.Out, StringComparison.Ordinal);
            await Task.Delay(TimeSpan.FromSeconds(3), TestContext.Current.CancellationToken);
            Assert.Equal(gammaHeld, File.ReadAllBytes(Path.Combine(folders[2], "state.json")));
            Assert.Contains("fleet state refused (not_newer)", agents[2].Log, StringComparison.Ordinal);

            var deadLines = agents[1].Log.Split('\n').Count(line => line.Contains($"peer {DeadPeer} (https://delta.home.arpa:1 via 127.0.0.1) unreachable", StringComparison.Ordinal));
            Assert.True(deadLines == 1, $"the dead peer should be logged once per failure streak, not {deadLines} times\n{agents[1].Log}");
            foreach (var agent in agents)
            {
                Assert.DoesNotContain("PRIVATE KEY", agent.Log, StringComparison.Ordinal);
                Assert.True(agent.Terminate() == 0, agent.Log);
            }
        }
        finally
        {
            foreach (var agent in agents)
            {
                agent.Dispose();
            }
        }
    }

    private void Report(IAgentNetwork network, long version, TimeSpan published, TimeSpan converged) =>
        output.WriteLine(
            $"{network.Name}: state version {version} held by all 3 agents {(converged - published).TotalMilliseconds:0} ms after kith publish to alpha returned ({converged.TotalMilliseconds:0} ms after it started; peer_interval_seconds 1)");

    private static string Inventory(IAgentNetwork network, string? betaExtraName)
    {
        var names = Machines.ToDictionary(m => m, m => betaExtraName is not null && m == "beta" ? $"web-{m}.home.arpa, {betaExtraName}" : $"web-{m}.home.arpa");
        return $$"""
            domain: home.arpa
            machines:
              alpha: { addresses: [{{network.Address(0)}}], roles: [bootstrap] }
              beta: { addresses: [{{network.Address(1)}}] }
              gamma: { addresses: [{{network.Address(2)}}] }
            services:
            {{string.Join("\n", Machines.Select(m => $"  web-{m}: {{ machine: {m}, endpoints: [{names[m]}], files: {{ dir: /var/lib/acme/web-{m} }} }}"))}}
            """;
    }

    /// <summary>init, then every machine enrolled with its agent installed; returns the agent folders in <see cref="Machines"/> order.</summary>
    private static async Task<string[]> InitAndEnrollAllAsync(KithWorkspace kith)
    {
        await kith.SucceedAsync("init");
        var folders = new string[Machines.Length];
        for (var i = 0; i < Machines.Length; i++)
        {
            folders[i] = await AgentEnrollment.EnrollAsync(kith, Machines[i]);
        }

        return folders;
    }

    /// <summary>The envelope with its payload's version changed and the signature kept (so it no longer verifies).</summary>
    private static byte[] WithVersion(byte[] envelope, long version)
    {
        var document = JsonNode.Parse(envelope)!.AsObject();
        var payload = JsonNode.Parse(Convert.FromBase64String(document["payload"]!.GetValue<string>()))!.AsObject();
        payload["version"] = version;
        document["payload"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(payload.ToJsonString()));
        return Encoding.UTF8.GetBytes(document.ToJsonString());
    }

    private static long OperatorVersion(KithWorkspace kith) =>
        FleetStateVerifier.ReadTrusted(File.ReadAllBytes(Path.Combine(kith.State, "fleet-state.json")))!.Value.State.Version;

    /// <summary>The operator's commands run where the operator is: in the first agent's namespace, if any.</summary>
    private static Task<CliResult> OperatorAsync(IAgentNetwork network, params string[] args) =>
        network.Launcher(0) is { } launcher ? CliProcess.RunAsync(launcher, args) : CliRun.RunAsync(args);

    private static async Task PublishAsync(IAgentNetwork network, KithWorkspace kith, string state, AgentProcess to)
    {
        var result = await OperatorAsync(network, "publish", "--to", to.BaseAddress.ToString(), "--state", state, "-f", kith.Inventory);
        Assert.True(result.ExitCode == 0, $"{result}\n{to.Log}");
    }

    /// <summary>
    /// Until every agent holds <paramref name="version"/>: asked on /healthz where the test can reach the agents,
    /// else read from each agent's state.json (the file /healthz reports on).
    /// </summary>
    private static async Task ConvergeAsync(IAgentNetwork network, IReadOnlyList<AgentProcess> agents, IReadOnlyList<string> folders, long version)
    {
        using var client = AgentProcess.Client(Path.Combine(folders[0], "root-ca.pem"));
        var deadline = DateTime.UtcNow + ConvergenceBound;
        var held = new long?[agents.Count];
        while (true)
        {
            for (var i = 0; i < agents.Count; i++)
            {
                held[i] = network.Launcher(i) is null ? await HealthVersionAsync(client, agents[i]) : FileVersion(folders[i]);
            }

            if (held.All(v => v == version))
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"not all agents reached version {version} within {ConvergenceBound.TotalSeconds:0} s: {string.Join(", ", held.Select((v, i) => $"{Machines[i]}={v?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}"))}\n{string.Join("\n", agents.Select(a => a.Log))}");
            }

            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }

    private static async Task<long?> HealthVersionAsync(HttpClient client, AgentProcess agent)
    {
        using var health = JsonDocument.Parse(await client.GetStringAsync(new Uri(agent.BaseAddress, "/healthz"), TestContext.Current.CancellationToken));
        var version = health.RootElement.GetProperty("state_version");
        return version.ValueKind == JsonValueKind.Number ? version.GetInt64() : null;
    }

    private static long? FileVersion(string agentFolder)
    {
        var path = Path.Combine(agentFolder, "state.json");
        return File.Exists(path) ? FleetStateVerifier.ReadTrusted(File.ReadAllBytes(path))?.State.Version : null;
    }

    private static async Task AssertPeerMetricsAsync(KithWorkspace kith, AgentProcess agent)
    {
        using var client = AgentProcess.Client(kith.RootCertificate);
        // The dead peer is asked in every round that no earlier peer ends: wait for a few failures, so that
        // "logged once" (checked at the end) means something.
        var metrics = string.Empty;
        await WaitForAsync(
            async () =>
            {
                metrics = await client.GetStringAsync(new Uri(agent.BaseAddress, "/metrics"), TestContext.Current.CancellationToken);
                return Regex.IsMatch(metrics, @"\nkith_peer_pulls_total\{result=""unreachable""\} ([3-9]|\d\d+)\n");
            },
            "beta counts three unreachable pulls of the dead peer",
            agent);
        Assert.Matches(@"\nkith_peer_pulls_total\{result=""accepted""\} [2-9]\n", metrics);
        Assert.Matches(@"\nkith_last_sync_timestamp_seconds \d{10}\n", metrics);
        Assert.Contains("\nkith_peer_pulls_total{result=\"refused\"} 0\n", metrics, StringComparison.Ordinal);
        Assert.Matches(@"\nkith_peer_pulls_total\{result=""not_newer""\} [1-9]\d*\n", metrics);

        // The cheap poll: nothing to send when the asker already holds the version.
        var version = (await HealthVersionAsync(client, agent))!.Value;
        using var same = await client.GetAsync(new Uri(agent.BaseAddress, $"/state?after={version}"), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NoContent, same.StatusCode);
        using var older = await client.GetAsync(new Uri(agent.BaseAddress, $"/state?after={version - 1}"), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, older.StatusCode);
        Assert.Equal(version, FleetStateVerifier.ReadTrusted(await older.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken))!.Value.State.Version);
        using var bad = await client.GetAsync(new Uri(agent.BaseAddress, "/state?after=latest"), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("after must be a version number", await bad.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    private static string EndpointFolder(string filesRoot, string machine) => Path.Combine(filesRoot, "var", "lib", "acme", $"web-{machine}");

    private static void AssertVerifies(KithWorkspace kith, string filesRoot, string machine)
    {
        var folder = EndpointFolder(filesRoot, machine);
        var (code, result) = Openssl.Verify(kith.RootCertificate, Path.Combine(folder, "chain.pem"), Path.Combine(folder, "cert.pem"));
        Assert.True(code == 0, $"{machine}: {result}");
    }

    /// <summary>Every byte of a machine's endpoint files and its installed Host CA.</summary>
    private static Dictionary<string, string> Snapshot(string agentFolder, string filesRoot, string machine)
    {
        var files = Directory.GetFiles(EndpointFolder(filesRoot, machine)).Append(Path.Combine(agentFolder, "host-ca.pem"));
        return files.ToDictionary(f => f, f => Convert.ToBase64String(File.ReadAllBytes(f)));
    }

    /// <summary>The endpoint folders an agent wrote under its files_root (not the hidden ones of a swap in progress).</summary>
    private static string[] EndpointFolders(string filesRoot) =>
        [.. Directory.GetDirectories(Path.Combine(filesRoot, "var", "lib", "acme")).Select(Path.GetFileName).OfType<string>().Where(n => !n.StartsWith('.')).Order(StringComparer.Ordinal)];

    private static Task WaitForAsync(Func<bool> done, string what, AgentProcess agent) => WaitForAsync(() => Task.FromResult(done()), what, agent);

    private static async Task WaitForAsync(Func<Task<bool>> done, string what, AgentProcess agent)
    {
        var deadline = DateTime.UtcNow + ConvergenceBound;
        while (!await done())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"not within {ConvergenceBound.TotalSeconds:0} s: {what}\n{agent.Log}");
            }

            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
    }
}
