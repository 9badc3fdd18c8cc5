using Kith.Fleet;
using Kith.Reconcile;

namespace Kith.Agent;

/// <summary>
/// Builds GET /healthz from the held state and the last reconcile pass, judged at the time of the request
/// (a certificate ages between passes). The rule, per endpoint of this machine in the state:
/// failing when the last pass failed it or its certificate has expired; expiring when less than a third of
/// its lifetime is left; pending when no pass has handled it yet; ok otherwise.
/// </summary>
internal static class AgentHealthReport
{
    /// <summary>
    /// The agent renews at two thirds of a certificate's lifetime (minus a jitter, so earlier): one with less
    /// than this fraction left should already have been replaced.
    /// </summary>
    public const double ExpiringFraction = 1.0 / 3.0;

    /// <param name="hostCaRevoked">Why this machine's Host CA is revoked (it is in the Root CRL), or null.</param>
    public static AgentHealth Build(string machine, string domain, DateTimeOffset hostCaNotAfter, FleetState? state, ReconcileSnapshot? lastPass, DateTimeOffset now, string? hostCaRevoked = null)
    {
        var endpoints = (state?.Machines.FirstOrDefault(m => m.Name == machine)?.Endpoints ?? [])
            .Select(e => Classify(e, lastPass?.Endpoints.GetValueOrDefault(e.Service), now))
            .ToList();
        var healthy = lastPass?.Error is null && hostCaRevoked is null && endpoints.All(e => e.Status != EndpointStatus.Failing);
        return new AgentHealth("ok", machine, domain, state?.Version, hostCaNotAfter, healthy, lastPass?.FinishedAt, lastPass?.Error, endpoints, hostCaRevoked);
    }

    public static EndpointHealth Classify(FleetEndpoint endpoint, EndpointSnapshot? last, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        if (last is null)
        {
            return new EndpointHealth(endpoint.Service, endpoint.Names, EndpointReconciler.FolderOf(endpoint), EndpointStatus.Pending, Detail: "no reconcile pass has handled it yet");
        }

        var health = new EndpointHealth(endpoint.Service, endpoint.Names, last.Folder, EndpointStatus.Ok, last.NotAfter, last.Serial, RetryAt: last.RetryAt);
        if (last.NotAfter is { } expired && now >= expired)
        {
            var cause = last.Failure is null ? string.Empty : $"; last failure: {last.Failure}";
            return health with { Status = EndpointStatus.Failing, Detail = $"certificate expired at {expired.UtcDateTime:yyyy-MM-dd HH:mm}Z{cause}" };
        }

        if (last.Failure is not null)
        {
            return health with { Status = EndpointStatus.Failing, Detail = last.Failure };
        }

        if (last.NotAfter is not { } notAfter || last.NotBefore is not { } notBefore)
        {
            return health with { Status = EndpointStatus.Failing, Detail = "no readable certificate on disk" };
        }

        var left = notAfter - now;
        if (left < (notAfter - notBefore) * ExpiringFraction)
        {
            return health with { Status = EndpointStatus.Expiring, Detail = $"renewal overdue: expires in {Describe(left)} (at {notAfter.UtcDateTime:yyyy-MM-dd HH:mm}Z)" };
        }

        return health;
    }

    private static string Describe(TimeSpan span) => span.TotalHours >= 48
        ? $"{span.TotalDays:0} days"
        : span.TotalMinutes >= 90 ? $"{span.TotalHours:0} hours" : $"{Math.Max(1, span.TotalMinutes):0} minutes";
}
