using Kith.Agent;

namespace Kith.Cli.Commands;

/// <summary>What <c>kith status</c> found for one machine of the inventory.</summary>
/// <param name="Agent">"reachable", "unreachable", "untrusted", or "no agent" (not enrolled: all-in-one, nothing to ask).</param>
/// <param name="Detail">Why the agent is unreachable or untrusted.</param>
/// <param name="Health">The agent's /healthz, when reachable.</param>
/// <param name="HostCaNotAfter">From the agent when reachable, else from the operator's copy of the Host CA certificate.</param>
internal sealed record MachineStatus(
    string Machine,
    string Agent,
    Uri? Url,
    string? Detail,
    AgentHealth? Health,
    long? LatestVersion,
    DateTimeOffset? HostCaNotAfter,
    string? HostCaSource)
{
    public const string NoAgent = "no agent";

    /// <summary>Below this many days left, the Host CA column warns.</summary>
    public const int HostCaWarningDays = 30;

    public IReadOnlyList<EndpointHealth> Endpoints => Health?.Endpoints ?? [];

    /// <summary>The agent holds no state, or one older than the last the operator wrote.</summary>
    public bool Behind => Health is not null && LatestVersion is { } latest && (Health.StateVersion ?? 0) < latest;

    /// <summary>Not a reason for exit 1: no agent to ask, or a reachable agent with nothing failing and a valid Host CA.</summary>
    public bool IsOk(DateTimeOffset now) => Agent == NoAgent || (
        Health is { Healthy: true, LastReconcileError: null }
        && Endpoints.All(e => e.Status != EndpointStatus.Failing)
        && !(HostCaNotAfter <= now));

    public static MachineStatus Of(string machine, ProbeResult? probe, long? latest, DateTimeOffset? operatorHostCa, DateTimeOffset now)
    {
        if (probe is null)
        {
            return new MachineStatus(machine, NoAgent, null, null, null, latest, operatorHostCa, operatorHostCa is null ? null : "operator");
        }

        var agent = probe.Outcome switch
        {
            ProbeOutcome.Reachable => "reachable",
            ProbeOutcome.Untrusted => "untrusted",
            _ => "unreachable",
        };
        return probe.Health is { } health
            ? new MachineStatus(machine, agent, probe.Url, probe.Detail, health, latest, health.HostCaNotAfter, "agent")
            : new MachineStatus(machine, agent, probe.Url, probe.Detail, null, latest, operatorHostCa, operatorHostCa is null ? null : "operator");
    }

    /// <summary>Whole days left until the Host CA expires (negative once expired), or null when unknown.</summary>
    public int? HostCaDaysLeft(DateTimeOffset now) =>
        HostCaNotAfter is { } notAfter ? (int)Math.Floor((notAfter - now).TotalDays) : null;
}

/// <summary>Every machine's status, and the fleet state version the operator wrote last.</summary>
internal sealed record StatusReport(long? LatestVersion, IReadOnlyList<MachineStatus> Machines)
{
    /// <summary>Exit 0: every machine is fine (<see cref="MachineStatus.IsOk"/>).</summary>
    public bool IsOk(DateTimeOffset now) => Machines.All(m => m.IsOk(now));
}
