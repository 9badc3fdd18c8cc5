using System.Text.Json.Serialization;

namespace Kith.Agent;

/// <summary>How one endpoint stands, as /healthz reports it (docs/agent.md, "Endpoint status").</summary>
[JsonConverter(typeof(JsonStringEnumConverter<EndpointStatus>))]
public enum EndpointStatus
{
    /// <summary>A current certificate is on disk and has more than a third of its lifetime left.</summary>
    [JsonStringEnumMemberName("ok")]
    Ok,

    /// <summary>Less than a third of its lifetime left: past the point where the agent renews, so renewal is not happening.</summary>
    [JsonStringEnumMemberName("expiring")]
    Expiring,

    /// <summary>The last pass failed it (issuance, write or reload), or its certificate has expired.</summary>
    [JsonStringEnumMemberName("failing")]
    Failing,

    /// <summary>In the fleet state, but no pass has handled it yet.</summary>
    [JsonStringEnumMemberName("pending")]
    Pending,
}

/// <summary>One endpoint of this machine in GET /healthz.</summary>
/// <param name="Folder">Where its files are written (after files_root).</param>
/// <param name="NotAfter">The certificate on disk, when there is one.</param>
/// <param name="Detail">Why it is failing or expiring; null when ok.</param>
/// <param name="RetryAt">When a failed issuance or reload is tried again.</param>
public sealed record EndpointHealth(
    string Service,
    IReadOnlyList<string> Names,
    string Folder,
    EndpointStatus Status,
    DateTimeOffset? NotAfter = null,
    string? Serial = null,
    string? Detail = null,
    DateTimeOffset? RetryAt = null);
