using System.CommandLine;
using System.Net;
using Kith.Agent;
using Kith.Inventory;
using Kith.Operator;

namespace Kith.Cli.Commands;

/// <summary>
/// How the operator's commands (<c>kith status</c>, <c>kith publish</c>) reach the machines' agents: every
/// enrolled machine (or one named by <c>--agent</c>) at https://&lt;machine&gt;.&lt;domain&gt;:&lt;port&gt;,
/// connected to its inventory addresses, or to the address <c>--agent MACHINE=https://IP:PORT</c> gives.
/// </summary>
internal static class AgentAddressing
{
    public const int DefaultPort = 8555;

    /// <summary><c>--port</c>; made per command, so validators do not pile up over runs in one process (tests).</summary>
    public static Option<int> PortOption()
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

    /// <summary><c>--agent MACHINE=https://IP:PORT</c> (repeatable), checked as a usage error when malformed.</summary>
    public static Option<string[]> AgentOption()
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

    /// <summary>
    /// Where to reach each machine's agent, in inventory order: the machines with an enrolled agent
    /// (<see cref="StateFolder.IsAgentManaged"/>) and those named by an <c>--agent</c>.
    /// </summary>
    /// <exception cref="KithException">An --agent names a machine the inventory lacks, or a host name that does not resolve.</exception>
    public static async Task<IReadOnlyList<ProbeTarget>> TargetsAsync(FleetInventory inventory, StateFolder state, string[] agentTexts, int port, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(inventory);
        ArgumentNullException.ThrowIfNull(state);
        var overrides = Overrides(agentTexts, inventory);
        var targets = new List<ProbeTarget>();
        foreach (var machine in inventory.Machines.Where(m => overrides.ContainsKey(m.Name) || state.IsAgentManaged(m.Name)))
        {
            targets.Add(overrides.TryGetValue(machine.Name, out var target)
                ? await target.ResolveAsync(machine.Name, cancellationToken)
                : new ProbeTarget(machine.Name, port, machine.Addresses));
        }

        return targets;
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
                problem = "the address must be https://IP:PORT, without a path (agents serve only HTTPS; the command picks the path)";
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
                return new ProbeTarget(machine, Port, await System.Net.Dns.GetHostAddressesAsync(Host, cancellationToken));
            }
            catch (System.Net.Sockets.SocketException e)
            {
                throw new KithException($"--agent {machine}=https://{Host}:{Port}: cannot resolve {Host} ({e.Message}); give an IP address");
            }
        }
    }
}
