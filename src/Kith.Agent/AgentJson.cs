using System.Text.Json.Serialization;

namespace Kith.Agent;

/// <summary>
/// GET /healthz (docs/agent.md). <see cref="Status"/> is always "ok" (the process answers: liveness);
/// <see cref="Healthy"/> is the verdict: false when an endpoint is failing or the last pass failed as a whole.
/// </summary>
/// <param name="LastReconcile">When the last reconcile pass ended; null before the first.</param>
/// <param name="LastReconcileError">Why that pass failed as a whole, or null.</param>
/// <param name="Endpoints">This machine's endpoints in the held state, each with its status.</param>
/// <param name="Dns">The DNS server's state (docs/dns.md, "Serving"), or null where not asked.</param>
/// <param name="Proxy">The reverse proxy config the agent keeps (docs/agent.md, "Proxy"), or null when it keeps none.</param>
/// <param name="HostCaRevoked">Set when the held state's Root CRL lists this machine's Host CA: what to do (docs/revoke.md).</param>
public sealed record AgentHealth(
    string Status,
    string Machine,
    string Domain,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] long? StateVersion,
    DateTimeOffset HostCaNotAfter,
    bool Healthy = true,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] DateTimeOffset? LastReconcile = null,
    string? LastReconcileError = null,
    IReadOnlyList<EndpointHealth>? Endpoints = null,
    string? HostCaRevoked = null,
    AgentDnsHealth? Dns = null,
    AgentProxyHealth? Proxy = null);

/// <summary>PUT /state, accepted.</summary>
public sealed record StateAccepted(long Version);

/// <summary>An RFC 9457 problem (application/problem+json); <see cref="Reason"/> is the refusal, snake_case.</summary>
public sealed record Problem(string Type, string Title, int Status, string Detail, string? Reason = null);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(AgentHealth))]
[JsonSerializable(typeof(StateAccepted))]
[JsonSerializable(typeof(Problem))]
internal sealed partial class AgentJson : JsonSerializerContext;
