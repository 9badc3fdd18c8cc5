using System.Globalization;
using System.Text;
using Kith.Fleet;

namespace Kith.Agent;

/// <summary>The agent's counters, written as Prometheus text exposition format (version 0.0.4) by hand.</summary>
public sealed class AgentMetrics
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private readonly long[] refused = new long[Enum.GetValues<FleetStateRefusal>().Length + 1];
    private readonly Lock endpointsGate = new();
    private IReadOnlyDictionary<string, DateTimeOffset> endpointNotAfter = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
    private long accepted;
    private long issued;
    private long renewed;
    private long reconcileFailures;
    private long hostCaInstalled;
    private long lastReconcile = -1;

    /// <summary>The index of "too large" (413), which never reaches the verifier.</summary>
    private int TooLargeIndex => refused.Length - 1;

    public long Accepted => Interlocked.Read(ref accepted);

    public void CountAccepted() => Interlocked.Increment(ref accepted);

    public void CountRefused(FleetStateRefusal reason) => Interlocked.Increment(ref refused[(int)reason]);

    public void CountTooLarge() => Interlocked.Increment(ref refused[TooLargeIndex]);

    public long Issued => Interlocked.Read(ref issued);

    public long Renewed => Interlocked.Read(ref renewed);

    public long ReconcileFailures => Interlocked.Read(ref reconcileFailures);

    /// <summary>Records a finished pass: its counts, the time, and the notAfter of every endpoint on disk.</summary>
    public void RecordPass(int issuedCount, int renewedCount, int failures, DateTimeOffset at, IReadOnlyDictionary<string, DateTimeOffset> notAfter)
    {
        Interlocked.Add(ref issued, issuedCount);
        Interlocked.Add(ref renewed, renewedCount);
        Interlocked.Add(ref reconcileFailures, failures);
        Interlocked.Exchange(ref lastReconcile, at.ToUnixTimeSeconds());
        lock (endpointsGate)
        {
            endpointNotAfter = notAfter;
        }
    }

    public long HostCaInstalled => Interlocked.Read(ref hostCaInstalled);

    /// <summary>A newer Host CA certificate for this machine's key, found in a fleet state, was installed.</summary>
    public void CountHostCaInstalled() => Interlocked.Increment(ref hostCaInstalled);

    /// <summary>A pass that failed as a whole (nothing to report per endpoint).</summary>
    public void CountReconcileFailure() => Interlocked.Increment(ref reconcileFailures);

    public string Render(long? stateVersion, DateTimeOffset hostCaNotAfter)
    {
        var text = new StringBuilder();
        text.Append("# HELP kith_state_version Version of the last good fleet state this agent holds (absent when none).\n");
        text.Append("# TYPE kith_state_version gauge\n");
        if (stateVersion is { } version)
        {
            text.Append(CultureInfo.InvariantCulture, $"kith_state_version {version}\n");
        }

        text.Append("# HELP kith_host_ca_not_after_seconds Expiry of this machine's Host CA certificate, Unix seconds.\n");
        text.Append("# TYPE kith_host_ca_not_after_seconds gauge\n");
        text.Append(CultureInfo.InvariantCulture, $"kith_host_ca_not_after_seconds {hostCaNotAfter.ToUnixTimeSeconds()}\n");
        text.Append("# HELP kith_host_ca_installed_total Newer Host CA certificates for this machine's key installed from fleet states.\n");
        text.Append("# TYPE kith_host_ca_installed_total counter\n");
        text.Append(CultureInfo.InvariantCulture, $"kith_host_ca_installed_total {HostCaInstalled}\n");
        text.Append("# HELP kith_state_accepted_total Fleet states accepted.\n");
        text.Append("# TYPE kith_state_accepted_total counter\n");
        text.Append(CultureInfo.InvariantCulture, $"kith_state_accepted_total {Accepted}\n");
        text.Append("# HELP kith_state_refused_total Fleet states refused, by reason.\n");
        text.Append("# TYPE kith_state_refused_total counter\n");
        foreach (var reason in Enum.GetValues<FleetStateRefusal>())
        {
            text.Append(CultureInfo.InvariantCulture, $"kith_state_refused_total{{reason=\"{ReasonLabel(reason)}\"}} {Interlocked.Read(ref refused[(int)reason])}\n");
        }

        text.Append(CultureInfo.InvariantCulture, $"kith_state_refused_total{{reason=\"too_large\"}} {Interlocked.Read(ref refused[TooLargeIndex])}\n");
        IReadOnlyDictionary<string, DateTimeOffset> notAfter;
        lock (endpointsGate)
        {
            notAfter = endpointNotAfter;
        }

        text.Append("# HELP kith_endpoint_not_after_seconds Expiry of each endpoint's certificate on disk (by service), Unix seconds.\n");
        text.Append("# TYPE kith_endpoint_not_after_seconds gauge\n");
        foreach (var (endpoint, at) in notAfter.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            text.Append(CultureInfo.InvariantCulture, $"kith_endpoint_not_after_seconds{{endpoint=\"{Escape(endpoint)}\"}} {at.ToUnixTimeSeconds()}\n");
        }

        text.Append("# HELP kith_issued_total Endpoint certificates issued where none was current on disk.\n");
        text.Append("# TYPE kith_issued_total counter\n");
        text.Append(CultureInfo.InvariantCulture, $"kith_issued_total {Issued}\n");
        text.Append("# HELP kith_renewed_total Endpoint certificates replaced (due, expired, names or issuer changed).\n");
        text.Append("# TYPE kith_renewed_total counter\n");
        text.Append(CultureInfo.InvariantCulture, $"kith_renewed_total {Renewed}\n");
        text.Append("# HELP kith_reconcile_failures_total Failed issuances, reloads, removals and passes.\n");
        text.Append("# TYPE kith_reconcile_failures_total counter\n");
        text.Append(CultureInfo.InvariantCulture, $"kith_reconcile_failures_total {ReconcileFailures}\n");
        text.Append("# HELP kith_last_reconcile_timestamp_seconds End of the last completed reconcile pass, Unix seconds (absent before the first).\n");
        text.Append("# TYPE kith_last_reconcile_timestamp_seconds gauge\n");
        if (Interlocked.Read(ref lastReconcile) is var last and >= 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"kith_last_reconcile_timestamp_seconds {last}\n");
        }
        return text.ToString();
    }

    private static string Escape(string label) =>
        label.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    /// <summary>A refusal reason as a metric label and API value: NotNewer → not_newer.</summary>
    public static string ReasonLabel(FleetStateRefusal reason)
    {
        var name = reason.ToString();
        var label = new StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0)
            {
                label.Append('_');
            }

            label.Append(char.ToLowerInvariant(name[i]));
        }

        return label.ToString();
    }
}
