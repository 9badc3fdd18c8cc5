namespace Kith.Agent;

/// <summary>What one peer pull came to (the label of <c>kith_peer_pulls_total</c>).</summary>
public enum PeerPullResult
{
    /// <summary>The peer had a newer state and this agent accepted it.</summary>
    Accepted,

    /// <summary>The peer had nothing newer (204, or no state at all), or a PUT got there first.</summary>
    NotNewer,

    /// <summary>The peer sent a state that the verifier refused (bad signature, another domain, …).</summary>
    Refused,

    /// <summary>No answer: connection refused or timed out, TLS not trusted, or an unexpected HTTP status.</summary>
    Unreachable,
}
