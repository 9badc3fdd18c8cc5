using Kith.Agent;

namespace Kith.Cli.Output;

/// <summary><c>kith status --json</c>.</summary>
/// <param name="LatestVersion">The version of the operator's fleet-state.json, or null when apply has not written one.</param>
/// <param name="Ok">The exit code's verdict: true means exit 0.</param>
public sealed record StatusJson(long? LatestVersion, bool Ok, IReadOnlyList<MachineStatusJson> Machines);

/// <summary>One machine in <c>kith status --json</c>.</summary>
/// <param name="Agent">reachable, unreachable, untrusted or no_agent.</param>
/// <param name="HostCaSource">"agent" (its /healthz) or "operator" (the state folder's copy); null when unknown.</param>
public sealed record MachineStatusJson(
    string Machine,
    string Agent,
    string? Url,
    string? Detail,
    long? StateVersion,
    bool Behind,
    DateTimeOffset? HostCaNotAfter,
    int? HostCaDaysLeft,
    string? HostCaSource,
    bool? Healthy,
    DateTimeOffset? LastReconcile,
    string? LastReconcileError,
    IReadOnlyList<EndpointHealth> Endpoints,
    bool Ok);
