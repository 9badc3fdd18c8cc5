using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Kith.Agent;
using Kith.Cli;
using Kith.Pki;
using Microsoft.AspNetCore.Builder;

namespace Kith.Bench;

/// <summary>
/// <c>fleet-convergence --agents N [--pull [--peer-interval SECONDS]]</c>: N machines m000… (addresses
/// 127.0.1.1…, all loopback on Linux; m000–m002 have the role bootstrap), each with one service, enrolled
/// through the kith CLI in-process (init, agent init, machine sign, agent install, apply), then N agents
/// hosted in this process with <see cref="AgentHost.Build"/>, each on its own address and the same port.
/// Measures how long a published state takes to reach every agent: pushed to all of them (peer sync off), or
/// with <c>--pull</c> published to one agent and pulled by the others from their peers.
/// </summary>
internal static class FleetConvergenceDriver
{
    private const string Domain = "home.arpa";
    private const string Passphrase = "bench passphrase";
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan IdleWindow = TimeSpan.FromSeconds(5);
    private const int BootstrapMachines = 3;

    public static async Task<int> RunAsync(string[] args)
    {
        var count = 100;
        var pull = false;
        var peerInterval = TimeSpan.FromSeconds(1);
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--agents" when i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var n) && n is > 0 and <= 250:
                    count = n;
                    i++;
                    break;
                case "--pull":
                    pull = true;
                    break;
                case "--peer-interval" when i + 1 < args.Length && double.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var seconds) && seconds is >= 0.1 and <= 600:
                    peerInterval = TimeSpan.FromSeconds(seconds);
                    i++;
                    break;
                default:
                    Console.Error.WriteLine("usage: fleet-convergence [--agents N (1-250)] [--pull [--peer-interval SECONDS (0.1-600, default 1)]]");
                    return 2;
            }
        }

        var mode = new Mode(pull, peerInterval);

        var work = Directory.CreateTempSubdirectory("kith-fleet-").FullName;
        var stdout = Console.Out;
        try
        {
            return await MeasureAsync(count, mode, work, stdout);
        }
        finally
        {
            Console.SetOut(stdout);
            Directory.Delete(work, recursive: true);
        }
    }

    private static async Task<int> MeasureAsync(int count, Mode mode, string work, TextWriter stdout)
    {
        var machines = Enumerable.Range(0, count).Select(i => new Machine($"m{i:D3}", IPAddress.Parse($"127.0.1.{i + 1}"))).ToList();
        var state = Path.Combine(work, "state");
        var inventory = Path.Combine(work, "kith.yaml");
        var passphrase = Path.Combine(work, "passphrase");
        File.WriteAllText(passphrase, Passphrase + "\n");
        File.WriteAllText(inventory, Inventory(machines, extra: false));
        string[] Global(params string[] args) => [.. args, "--state", state, "-f", inventory, "--passphrase-file", passphrase];

        stdout.WriteLine(FormattableString.Invariant(
            $"fleet-convergence: {count} agents in one process, {(mode.Pull ? $"pull (publish to one agent, peer_interval {mode.PeerInterval.TotalSeconds:0.#} s, bootstrap {string.Join(' ', machines.Take(BootstrapMachines).Select(m => m.Name))})" : "push (publish to all, peer sync off)")}, work folder {work}"));
        var watch = Stopwatch.StartNew();
        await KithAsync(Global("init"));
        var init = watch.Elapsed;
        var steps = new TimeSpan[3];
        foreach (var machine in machines)
        {
            var dir = Path.Combine(work, "agents", machine.Name);
            var signed = Path.Combine(work, $"{machine.Name}-host-ca.pem");
            var step = watch.Elapsed;
            await KithAsync(Global("agent", "init", "--machine", machine.Name, "--dir", dir));
            steps[0] += watch.Elapsed - step;
            step = watch.Elapsed;
            await KithAsync(Global("machine", "sign", machine.Name, "--csr", Path.Combine(dir, "host-ca.csr"), "--out", signed));
            steps[1] += watch.Elapsed - step;
            step = watch.Elapsed;
            await KithAsync(Global("agent", "install", "--dir", dir, "--cert", signed, "--root", Path.Combine(state, "root", "root-ca.pem")));
            steps[2] += watch.Elapsed - step;
        }

        var enrolled = watch.Elapsed;
        await KithAsync(Global("apply"));
        var applied = watch.Elapsed;
        stdout.WriteLine(FormattableString.Invariant(
            $"RESULT enroll {count} machines: {enrolled.TotalSeconds:F1} s (init {init.TotalSeconds:F1} s; per machine {(enrolled - init).TotalMilliseconds / count:F0} ms: agent init {steps[0].TotalMilliseconds / count:F0}, machine sign {steps[1].TotalMilliseconds / count:F0}, agent install {steps[2].TotalMilliseconds / count:F0}); apply {(applied - enrolled).TotalSeconds:F1} s"));

        // The agents' console logs go to a file: 100 agents would bury the figures.
        using var log = new StreamWriter(Path.Combine(work, "agents.log")) { AutoFlush = true };
        Console.SetOut(TextWriter.Synchronized(log));
        var port = FreePort();
        // With peer sync, an agent that holds no state yet knows no machines: the bootstrap machines are its
        // configured peers (agent.yaml peers: MACHINE=https://IP:PORT).
        var bootstrap = machines.Take(BootstrapMachines).Select(m => ConfiguredPeer.Parse($"{m.Name}=https://{m.Address}:{port}", "bench")).ToList();
        var agents = new List<WebApplication>();
        try
        {
            watch.Restart();
            foreach (var machine in machines)
            {
                var app = AgentHost.Build(new AgentOptions(machine.Name, Path.Combine(work, "agents", machine.Name), [new IPEndPoint(machine.Address, port)], TimeSpan.FromDays(7))
                {
                    FilesRoot = Directory.CreateDirectory(Path.Combine(work, "files", machine.Name)).FullName,
                    PeerSync = mode.Pull,
                    PeerPort = port,
                    PeerInterval = mode.PeerInterval,
                    Peers = mode.Pull ? bootstrap : [],
                });
                await app.StartAsync();
                agents.Add(app);
            }

            stdout.WriteLine(FormattableString.Invariant(
                $"RESULT start {count} agents: {watch.Elapsed.TotalSeconds:F1} s; VmRSS {RenewEndpointsDriver.Status("VmRSS")} MiB, VmHWM {RenewEndpointsDriver.Status("VmHWM")} MiB"));

            using var root = X509CertificateLoader.LoadCertificate(Pem.ReadCertificates(Path.Combine(state, "root", "root-ca.pem"))[0]);
            using var client = FleetHttpClient.Create(root, machines.ToDictionary(m => $"{m.Name}.{Domain}", m => (IReadOnlyList<IPAddress>)[m.Address]), TimeSpan.FromSeconds(30));
            // Pull: the first state goes to a bootstrap machine (every agent asks those each round), the next one
            // to the last machine, which is no bootstrap machine: it spreads from peer to peer.
            var ok = await PublishAsync("first state (each agent also issues its endpoint)", machines, mode.Pull ? machines[0] : null, work, port, client, Global, stdout, certificates: true);

            // A second state: one endpoint more on m000 (apply re-signs its Host CA); every agent takes the new version.
            File.WriteAllText(inventory, Inventory(machines, extra: true));
            await KithAsync(Global("apply"));
            ok &= await PublishAsync("next state (one endpoint added on m000)", machines, mode.Pull ? machines[^1] : null, work, port, client, Global, stdout, certificates: false);
            GC.Collect();
            stdout.WriteLine(FormattableString.Invariant(
                $"RESULT memory of the process with {count} agents: VmRSS {RenewEndpointsDriver.Status("VmRSS")} MiB, VmHWM {RenewEndpointsDriver.Status("VmHWM")} MiB, GC heap {GC.GetTotalMemory(false) / 1048576.0:F1} MiB ({(GCSettings.IsServerGC ? "server" : "workstation")} GC)"));
            return ok ? 0 : 1;
        }
        finally
        {
            foreach (var app in agents)
            {
                await app.StopAsync();
                await app.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// Publishes the state to <paramref name="only"/> (else to every agent) and waits until every /healthz
    /// shows its version. With peer sync, first measures the peer pulls and CPU of an idle window.
    /// </summary>
    private static async Task<bool> PublishAsync(string label, List<Machine> machines, Machine? only, string work, int port, HttpClient client, Func<string[], string[]> global, TextWriter stdout, bool certificates)
    {
        var targets = (only is null ? machines : [only]).SelectMany(m => new[] { "--to", $"https://{m.Address}:{port}" }).ToArray();
        using var process = Process.GetCurrentProcess();
        var pullsBefore = 0L;
        if (only is not null)
        {
            pullsBefore = await PeerPullsAsync(client, machines, port);
            process.Refresh();
            var idleCpu = process.TotalProcessorTime;
            await Task.Delay(IdleWindow);
            process.Refresh();
            var idlePulls = await PeerPullsAsync(client, machines, port);
            stdout.WriteLine(FormattableString.Invariant(
                $"RESULT idle before the {label}: {(idlePulls - pullsBefore) / IdleWindow.TotalSeconds:F0} peer pulls/s across {machines.Count} agents, CPU of the whole process {(process.TotalProcessorTime - idleCpu).TotalSeconds / IdleWindow.TotalSeconds:F2} s per s"));
            pullsBefore = idlePulls;
        }

        process.Refresh();
        var cpu = process.TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        var publish = Task.Run(() => KithAsync(global(["publish", .. targets])));
        var seen = new TimeSpan?[machines.Count];
        var issued = new TimeSpan?[machines.Count];
        TimeSpan? published = null;
        var lastAsked = TimeSpan.Zero;
        while (seen.Any(s => s is null) || (certificates && issued.Any(s => s is null)))
        {
            if (watch.Elapsed > Deadline)
            {
                stdout.WriteLine($"RESULT {label}: not converged within {Deadline.TotalMinutes} minutes ({seen.Count(s => s is not null)}/{machines.Count} show the version)");
                return false;
            }

            if (published is null && publish.IsCompleted)
            {
                await publish;
                published = watch.Elapsed;
            }

            // The files are checked every round; the agents are asked at most every 250 ms, so that the
            // poller does not take the CPU the publisher and the agents need.
            var ask = watch.Elapsed - lastAsked >= PollInterval || (published is not null && seen.Any(s => s is null));
            var versions = ask ? await Task.WhenAll(machines.Select(m => VersionAsync(client, m, port))) : new long?[machines.Count];
            lastAsked = ask ? watch.Elapsed : lastAsked;
            var expected = versions.Max();
            for (var i = 0; i < machines.Count; i++)
            {
                if (ask && seen[i] is null && versions[i] is { } v && v == expected && published is not null)
                {
                    seen[i] = watch.Elapsed;
                }

                if (certificates && issued[i] is null && File.Exists(Path.Combine(work, "files", machines[i].Name, "srv", "tls", $"svc-{machines[i].Name}", "cert.pem")))
                {
                    issued[i] = watch.Elapsed;
                }
            }

            await Task.Delay(20);
        }

        published ??= watch.Elapsed;
        process.Refresh();
        var cpuUsed = process.TotalProcessorTime - cpu;
        var pulls = only is null ? string.Empty : FormattableString.Invariant($"; {await PeerPullsAsync(client, machines, port) - pullsBefore} peer pulls by then");
        stdout.WriteLine(FormattableString.Invariant(
            $"RESULT {(only is null ? "push" : "pull")} {label}: publish to {only?.Name ?? $"{machines.Count} agents"} {published.Value.TotalSeconds:F2} s (CPU of the whole process {cpuUsed.TotalSeconds:F2} s{pulls}); all {machines.Count} /healthz show it at {seen.Max()!.Value.TotalSeconds:F2} s{(certificates ? FormattableString.Invariant($"; all {machines.Count} endpoint certificates on disk at {issued.Max()!.Value.TotalSeconds:F2} s (median {Median(issued):F2} s)") : string.Empty)}"));
        return true;
    }

    private static double Median(TimeSpan?[] times)
    {
        var sorted = times.Select(t => t!.Value.TotalSeconds).Order().ToList();
        return sorted[sorted.Count / 2];
    }

    private static async Task<long?> VersionAsync(HttpClient client, Machine machine, int port)
    {
        try
        {
            var body = await client.GetStringAsync(FleetHttpClient.AgentUri(machine.Name, Domain, port, "/healthz"));
            using var health = JsonDocument.Parse(body);
            return health.RootElement.GetProperty("state_version") is { ValueKind: JsonValueKind.Number } v ? v.GetInt64() : null;
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    /// <summary>The sum of kith_peer_pulls_total over every result and agent.</summary>
    private static async Task<long> PeerPullsAsync(HttpClient client, List<Machine> machines, int port)
    {
        var counts = await Task.WhenAll(machines.Select(async m =>
        {
            var text = await client.GetStringAsync(FleetHttpClient.AgentUri(m.Name, Domain, port, "/metrics"));
            return text.Split('\n')
                .Where(line => line.StartsWith("kith_peer_pulls_total{", StringComparison.Ordinal))
                .Sum(line => long.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));
        }));
        return counts.Sum();
    }

    private static string Inventory(List<Machine> machines, bool extra)
    {
        var text = new StringBuilder(FormattableString.Invariant($"domain: {Domain}\nmachines:\n"));
        foreach (var machine in machines)
        {
            var roles = machines.IndexOf(machine) < BootstrapMachines ? ", roles: [bootstrap]" : string.Empty;
            text.Append(CultureInfo.InvariantCulture, $"  {machine.Name}: {{ addresses: [{machine.Address}]{roles} }}\n");
        }

        text.Append("services:\n");
        foreach (var machine in machines)
        {
            text.Append(CultureInfo.InvariantCulture, $"  svc-{machine.Name}: {{ machine: {machine.Name}, endpoints: [svc-{machine.Name}.{Domain}], files: {{ dir: /srv/tls/svc-{machine.Name} }} }}\n");
        }

        if (extra)
        {
            text.Append(CultureInfo.InvariantCulture, $"  extra: {{ machine: {machines[0].Name}, endpoints: [extra.{Domain}], files: {{ dir: /srv/tls/extra }} }}\n");
        }

        return text.ToString();
    }

    private static async Task KithAsync(string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await KithCli.RunAsync(args, output, error);
        if (code != 0)
        {
            throw new InvalidOperationException($"kith {string.Join(' ', args)} exited with {code}\n{output}\n{error}");
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private sealed record Machine(string Name, IPAddress Address);

    /// <summary>Push to every agent with peer sync off, or pull: publish to one, peers every <paramref name="PeerInterval"/>.</summary>
    private sealed record Mode(bool Pull, TimeSpan PeerInterval);
}
