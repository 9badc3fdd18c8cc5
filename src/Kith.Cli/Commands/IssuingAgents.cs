using System.Security.Cryptography.X509Certificates;
using Kith.Agent;
using Kith.Doctor;
using Kith.Inventory;
using Kith.Operator;

namespace Kith.Cli.Commands;

/// <summary>
/// Asks a machine's agent for its /healthz the way <c>kith status</c> does (<see cref="AgentProbe"/>), once per
/// machine, and reduces the answer to what <c>kith doctor</c>'s diagnosis needs about one service.
/// </summary>
internal sealed class IssuingAgents(FleetInventory inventory, StateFolder state, X509Certificate2 root, string[] overrides, int port, TimeSpan timeout)
{
    private readonly Dictionary<string, Task<ProbeResult?>> asked = new(StringComparer.Ordinal);
    private Task<IReadOnlyList<ProbeTarget>>? targets;

    /// <summary>The answer of the agent on the target's machine about the target's service.</summary>
    public async Task<AgentAnswer> AskAsync(DoctorTarget target, CancellationToken cancellationToken)
    {
        var machine = target.Machine ?? throw new ArgumentException("the target has no machine", nameof(target));
        if (!asked.TryGetValue(machine, out var probe))
        {
            probe = ProbeAsync(machine, cancellationToken);
            asked[machine] = probe;
        }

        var result = await probe;
        if (result is null)
        {
            return AgentAnswer.NoAgent(machine);
        }

        var reach = result.Outcome switch
        {
            ProbeOutcome.Reachable => AgentReach.Reachable,
            ProbeOutcome.Untrusted => AgentReach.Untrusted,
            _ => AgentReach.Unreachable,
        };
        var endpoint = (result.Health?.Endpoints ?? []).FirstOrDefault(e => e.Service == target.Service);
        return new AgentAnswer(
            machine,
            reach,
            result.Url.ToString(),
            result.Detail,
            endpoint is null ? null : new AgentEndpoint(endpoint.Status.ToString().ToLowerInvariant(), endpoint.NotAfter, endpoint.Folder, endpoint.Detail),
            result.Health?.StateVersion);
    }

    private async Task<ProbeResult?> ProbeAsync(string machine, CancellationToken cancellationToken)
    {
        // Every machine's address is worked out once (enrollment files, --agent overrides), not once per machine asked.
        targets ??= AgentAddressing.TargetsAsync(inventory, state, overrides, port, cancellationToken);
        var target = (await targets).FirstOrDefault(t => t.Machine == machine);
        if (target is null)
        {
            return null;
        }

        var results = await AgentProbe.ProbeAsync(root, inventory.Domain, [target], timeout, cancellationToken);
        return results[0];
    }
}
