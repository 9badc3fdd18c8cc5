using System.Diagnostics;
using System.Text;
using Kith.Dns;
using Kith.Dns.Formats;
using Kith.IntegrationTests.Support;

namespace Kith.IntegrationTests.Dns;

/// <summary>
/// A real DNS daemon in the foreground on a free 127.0.0.1 port, with its config in a test folder, killed on
/// dispose: knotd serving zones authoritatively, or unbound / dnsmasq resolving through a kith snippet.
/// </summary>
internal sealed class ResolverDaemon : IDisposable
{
    private readonly Process process;
    private readonly StringBuilder output = new();

    private ResolverDaemon(string name, ProcessStartInfo start, int port)
    {
        Name = name;
        Port = port;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Name { get; }

    public int Port { get; }

    /// <summary>What the daemon printed so far, for assertion messages.</summary>
    public string Log
    {
        get
        {
            lock (output)
            {
                return $"--- {Name} log\n{output}";
            }
        }
    }

    /// <summary>knotd serving <paramref name="zones"/> (written as BIND master files) on 127.0.0.1; returns once every zone answers its SOA.</summary>
    public static async Task<ResolverDaemon> StartKnotAsync(string folder, IReadOnlyList<FleetZone> zones)
    {
        Directory.CreateDirectory(folder);
        var port = TestProcesses.FreeLoopbackPort();
        var config = new StringBuilder($"""
            server:
                listen: 127.0.0.1@{port}
                rundir: "{folder}"
            database:
                storage: "{folder}"
            log:
              - target: stderr
                any: info
            zone:

            """);
        foreach (var zone in zones)
        {
            var file = Path.Combine(folder, zone.Apex + ".zone");
            File.WriteAllText(file, BindZoneFile.Render(zone));
            config.Append($"  - domain: {zone.Apex}\n    file: \"{file}\"\n    zonefile-sync: -1\n    journal-content: none\n");
        }

        var path = Path.Combine(folder, "knot.conf");
        File.WriteAllText(path, config.ToString());
        var knot = new ResolverDaemon("knotd", Start("knotd", "-c", path), port);
        foreach (var zone in zones)
        {
            await knot.WaitUntilAsync(zone.Apex, "SOA", "status: NOERROR");
        }

        return knot;
    }

    /// <summary>unbound -d with a minimal server: block on 127.0.0.1 that includes <paramref name="fragment"/>; it strips private answers unless the fragment allows them.</summary>
    public static async Task<ResolverDaemon> StartUnboundAsync(string folder, string fragment)
    {
        Directory.CreateDirectory(folder);
        var port = TestProcesses.FreeLoopbackPort();
        var path = Path.Combine(folder, "unbound.conf");
        File.WriteAllText(path, $"""
            server:
                port: {port}
                interface: 127.0.0.1
                do-not-query-localhost: no
                username: ""
                chroot: ""
                directory: "{folder}"
                pidfile: ""
                use-syslog: no
                logfile: ""
                num-threads: 1
                private-address: 10.0.0.0/8
                private-address: 172.16.0.0/12
                private-address: 192.168.0.0/16
            include: "{fragment}"

            """);
        var (code, checkOutput) = Run("unbound-checkconf", path);
        Assert.True(code == 0, $"unbound-checkconf refused the config with the fragment:\n{checkOutput}\n{File.ReadAllText(fragment)}");
        var unbound = new ResolverDaemon("unbound", Start("unbound", "-d", "-c", path), port);
        await unbound.WaitUntilAsync("localhost", "A", "status:");
        return unbound;
    }

    /// <summary>dnsmasq --no-daemon on 127.0.0.1 with only <paramref name="fragment"/> as config and DNS rebind protection on.</summary>
    public static async Task<ResolverDaemon> StartDnsmasqAsync(string fragment)
    {
        var port = TestProcesses.FreeLoopbackPort();
        var dnsmasq = new ResolverDaemon("dnsmasq", Start(
            "dnsmasq",
            "--no-daemon",
            $"--port={port}",
            "--listen-address=127.0.0.1",
            "--bind-interfaces",
            "--no-resolv",
            "--no-hosts",
            "--pid-file=",
            $"--user={Environment.UserName}",
            "--stop-dns-rebind",
            $"--conf-file={fragment}"), port);
        await dnsmasq.WaitUntilAsync("localhost", "A", "status:");
        return dnsmasq;
    }

    /// <summary>kdig's full answer to <paramref name="name"/> <paramref name="type"/> from this daemon (no retries, 2 s).</summary>
    public string Query(string name, string type = "A")
    {
        var (_, text) = Run("kdig", $"@127.0.0.1", "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "+timeout=2", "+retry=0", name, type);
        return text;
    }

    public void Dispose() => TestProcesses.KillAndDispose(process);

    /// <summary>Polls until a query's output contains <paramref name="expected"/> (the daemon is up and has loaded what it serves).</summary>
    private async Task WaitUntilAsync(string name, string type, string expected)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            if (process.HasExited)
            {
                var message = $"{Name} exited with {process.ExitCode}\n{Log}";
                Dispose();
                throw new InvalidOperationException(message);
            }

            if (Query(name, type).Contains(expected, StringComparison.Ordinal))
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                var message = $"{Name} did not answer {name} {type} within 20 s\n{Log}";
                Dispose();
                throw new InvalidOperationException(message);
            }

            await Task.Delay(100);
        }
    }

    private static ProcessStartInfo Start(string program, params string[] args)
    {
        var start = new ProcessStartInfo(program) { UseShellExecute = false };
        foreach (var argument in args)
        {
            start.ArgumentList.Add(argument);
        }

        return start;
    }

    /// <summary>Runs a tool to its end; returns its exit code and stdout followed by stderr.</summary>
    public static (int Code, string Output) Run(string program, params string[] args)
    {
        var start = Start(program, args);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        using var tool = Process.Start(start)!;
        var stdout = tool.StandardOutput.ReadToEndAsync();
        var stderr = tool.StandardError.ReadToEnd();
        tool.WaitForExit();
        return (tool.ExitCode, stdout.Result + stderr);
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (output)
            {
                output.AppendLine(line);
            }
        }
    }
}
