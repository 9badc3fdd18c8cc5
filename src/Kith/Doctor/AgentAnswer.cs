namespace Kith.Doctor;

/// <summary>How a machine's agent could be asked about an endpoint.</summary>
public enum AgentReach
{
    /// <summary>It answered /healthz.</summary>
    Reachable,

    /// <summary>No connection, no answer, or not a kith agent's answer.</summary>
    Unreachable,

    /// <summary>Its certificate does not chain to the Root or names another machine.</summary>
    Untrusted,

    /// <summary>The machine has no enrolled agent: the operator's <c>kith apply</c> writes its files.</summary>
    NoAgent,
}

/// <summary>What an agent says about one service's certificate: its /healthz entry, reduced to what a diagnosis needs.</summary>
/// <param name="Status">ok, expiring, failing or pending, as /healthz spells it.</param>
public sealed record AgentEndpoint(string Status, DateTimeOffset? NotAfter, string Folder, string? Detail);

/// <summary>
/// The answer of the agent that should have issued an endpoint's certificate (the CLI asks it the way
/// <c>kith status</c> does; the library only reads the answer).
/// </summary>
/// <param name="Url">Where it was asked, for the message.</param>
/// <param name="Detail">Why it is unreachable or untrusted.</param>
/// <param name="Endpoint">Its entry for the service; null when reachable but it does not know the service.</param>
/// <param name="StateVersion">The fleet state version it holds.</param>
public sealed record AgentAnswer(string Machine, AgentReach Reach, string? Url, string? Detail, AgentEndpoint? Endpoint, long? StateVersion)
{
    public static AgentAnswer NoAgent(string machine) => new(machine, AgentReach.NoAgent, null, null, null, null);
}
