using System.Text.Json.Serialization;

namespace Kith.Agent;

/// <summary>GET /healthz.</summary>
public sealed record AgentHealth(
    string Status,
    string Machine,
    string Domain,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] long? StateVersion,
    DateTimeOffset HostCaNotAfter);

/// <summary>PUT /state, accepted.</summary>
public sealed record StateAccepted(long Version);

/// <summary>An RFC 9457 problem (application/problem+json); <see cref="Reason"/> is the refusal, snake_case.</summary>
public sealed record Problem(string Type, string Title, int Status, string Detail, string? Reason = null);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(AgentHealth))]
[JsonSerializable(typeof(StateAccepted))]
[JsonSerializable(typeof(Problem))]
internal sealed partial class AgentJson : JsonSerializerContext;
