using System.CommandLine;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Kith.Agent;
using Kith.Cli.Output;
using Kith.Inventory;
using Kith.Operator;
using Kith.Pki;

namespace Kith.Cli.Commands;

/// <summary>
/// <c>kith status</c>, on the operator: every machine of the inventory, its agent's /healthz (reachable,
/// state version, Host CA expiry, endpoints ok / expiring / failing). Exit 0 when every enrolled agent is
/// reachable and healthy, 1 otherwise (docs/cli.md, "kith status").
/// </summary>
internal static class StatusCommand
{
    public const int DefaultPort = 8555;

    private static readonly TimeSpan MinTimeout = TimeSpan.FromSeconds(1);

    /// <summary>An agent that has not answered in this long is down, not slow.</summary>
    private static readonly TimeSpan MaxTimeout = TimeSpan.FromMinutes(10);

    /// <summary>The options are made per command: their validators must not pile up over runs in one process (tests).</summary>
    public static Command Create(TextWriter output)
    {
        var port = PortOption();
        var agent = AgentOption();
        var timeout = TimeoutOption();
        var command = new Command("status", "Ask every machine's agent how it is: reachable, state version, Host CA expiry, endpoints ok / expiring / failing");
        command.Options.Add(port);
        command.Options.Add(agent);
        command.Options.Add(timeout);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var inventory = GlobalOptions.LoadInventory(parse);
            var state = GlobalOptions.StateFolder(parse);
            using var root = RootStore.LoadCertificate(state);
            var overrides = Overrides(parse.GetValue(agent) ?? [], inventory);
            var wait = Duration.Parse(parse.GetValue(timeout)!, out _)!.Value;
            var latest = FleetStatePublication.LatestVersion(state);
            var now = DateTimeOffset.UtcNow;

            var targets = new List<ProbeTarget>();
            foreach (var machine in inventory.Machines.Where(m => overrides.ContainsKey(m.Name) || state.IsAgentManaged(m.Name)))
            {
                targets.Add(overrides.TryGetValue(machine.Name, out var target)
                    ? await target.ResolveAsync(machine.Name, cancellationToken)
                    : new ProbeTarget(machine.Name, parse.GetValue(port), machine.Addresses));
            }

            var probes = (await AgentProbe.ProbeAsync(root, inventory.Domain, targets, wait, cancellationToken)).ToDictionary(p => p.Machine, StringComparer.Ordinal);
            var rows = inventory.Machines.Select(m => MachineStatus.Of(m.Name, probes.GetValueOrDefault(m.Name), latest, OperatorHostCaNotAfter(state, m.Name), now)).ToList();
            var report = new StatusReport(latest, rows);
            StatusView.Write(output, report, parse.GetValue(GlobalOptions.Json), now);
            return report.IsOk(now) ? KithCli.Success : KithCli.Failure;
        });
        return command;
    }

    private static Option<int> PortOption()
    {
        var port = new Option<int>("--port")
        {
            Description = "The agents' HTTPS port",
            DefaultValueFactory = _ => DefaultPort,
        };
        port.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is < 1 or > 65535)
            {
                result.AddError("--port: must be 1 … 65535");
            }
        });
        return port;
    }

    private static Option<string[]> AgentOption()
    {
        var agent = new Option<string[]>("--agent")
        {
            Description = "Reach MACHINE's agent at this address instead: MACHINE=https://IP:PORT (repeatable); its certificate must still name <machine>.<domain>",
            AllowMultipleArgumentsPerToken = false,
        };
        agent.Validators.Add(result =>
        {
            foreach (var token in result.Tokens)
            {
                if (AgentOverride.Parse(token.Value, out var problem) is null)
                {
                    result.AddError($"--agent '{token.Value}': {problem}");
                }
            }
        });
        return agent;
    }

    private static Option<string> TimeoutOption()
    {
        var timeout = new Option<string>("--timeout")
        {
            Description = "How long to wait for each agent's answer (1s … 10m)",
            DefaultValueFactory = _ => "5s",
        };
        timeout.Validators.Add(result =>
        {
            if (result.Tokens.Count == 0)
            {
                return;
            }

            var parsed = Duration.Parse(result.Tokens[0].Value, out var problem);
            if (parsed is null)
            {
                result.AddError($"--timeout: {problem}");
            }
            else if (parsed < MinTimeout || parsed > MaxTimeout)
            {
                result.AddError($"--timeout: {result.Tokens[0].Value} is outside 1s … 10m");
            }
        });
        return timeout;
    }

    private static Dictionary<string, AgentOverride> Overrides(string[] texts, FleetInventory inventory)
    {
        var overrides = new Dictionary<string, AgentOverride>(StringComparer.Ordinal);
        foreach (var text in texts)
        {
            var parsed = AgentOverride.Parse(text, out _)!;
            if (inventory.FindMachine(parsed.Machine) is null)
            {
                throw new KithException($"--agent '{text}': machine '{parsed.Machine}' is not in the inventory {inventory.SourcePath} (machines: {string.Join(", ", inventory.Machines.Select(m => m.Name))})");
            }

            overrides[parsed.Machine] = parsed;
        }

        return overrides;
    }

    /// <summary>The Host CA certificate's end as the operator signed it (hosts/&lt;machine&gt;/host-ca.pem), or null.</summary>
    private static DateTimeOffset? OperatorHostCaNotAfter(StateFolder state, string machine)
    {
        var path = state.HostCaCertificate(machine);
        if (!File.Exists(path))
        {
            return null;
        }

        var der = Pem.ReadCertificates(path);
        if (der.Count == 0)
        {
            return null;
        }

        using var certificate = X509CertificateLoader.LoadCertificate(der[0]);
        return new DateTimeOffset(certificate.NotAfter.ToUniversalTime());
    }

    /// <summary>One <c>--agent MACHINE=https://HOST:PORT</c>.</summary>
    private sealed record AgentOverride(string Machine, string Host, int Port)
    {
        public static AgentOverride? Parse(string text, out string problem)
        {
            problem = string.Empty;
            var equals = text.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                problem = "write MACHINE=https://IP:PORT, e.g. alpha=https://100.64.0.10:8555";
                return null;
            }

            if (!Uri.TryCreate(text[(equals + 1)..], UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps || uri.AbsolutePath is not ("" or "/"))
            {
                problem = "the address must be https://IP:PORT (agents serve only HTTPS; the path is always /healthz)";
                return null;
            }

            return new AgentOverride(text[..equals].Trim().ToLowerInvariant(), uri.IdnHost, uri.Port);
        }

        /// <summary>An IP is used as it is; a host name is looked up now (the certificate is still checked for the machine's name).</summary>
        public async Task<ProbeTarget> ResolveAsync(string machine, CancellationToken cancellationToken)
        {
            if (IPAddress.TryParse(Host, out var address))
            {
                return new ProbeTarget(machine, Port, [address]);
            }

            try
            {
                return new ProbeTarget(machine, Port, await Dns.GetHostAddressesAsync(Host, cancellationToken));
            }
            catch (System.Net.Sockets.SocketException e)
            {
                throw new KithException($"--agent {machine}=https://{Host}:{Port}: cannot resolve {Host} ({e.Message}); give an IP address");
            }
        }
    }
}
