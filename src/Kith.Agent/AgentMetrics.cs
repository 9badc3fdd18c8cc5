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
    private long lastSync = -1;
    private long proxyReloadsOk;
    private long proxyReloadsFailed;
    private long proxyRejected;
    private readonly long[] peerPulls = new long[Enum.GetValues<PeerPullResult>().Length];

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

    /// <summary>The agent ran the proxy's reload command, and whether it succeeded.</summary>
    public void CountProxyReload(bool succeeded) => Interlocked.Increment(ref succeeded ? ref proxyReloadsOk : ref proxyReloadsFailed);

    /// <summary>The proxy's validate command refused a new config, which was rolled back.</summary>
    public void CountProxyRejected() => Interlocked.Increment(ref proxyRejected);

    public long PeerPulls(PeerPullResult result) => Interlocked.Read(ref peerPulls[(int)result]);

    /// <summary>One peer asked for a newer fleet state, and what came of it.</summary>
    public void CountPeerPull(PeerPullResult result) => Interlocked.Increment(ref peerPulls[(int)result]);

    /// <summary>A peer sync round finished in which at least one peer answered.</summary>
    public void RecordSync(DateTimeOffset at) => Interlocked.Exchange(ref lastSync, at.ToUnixTimeSeconds());

    public string Render(long? stateVersion, DateTimeOffset hostCaNotAfter)
    {
        var text = new StringBuilder();
        Family(text, "kith_state_version", "gauge", "Version of the last good fleet state this agent holds (absent when none).");
        Sample(text, "kith_state_version", null, stateVersion);
        Family(text, "kith_host_ca_not_after_seconds", "gauge", "Expiry of this machine's Host CA certificate, Unix seconds.");
        Sample(text, "kith_host_ca_not_after_seconds", null, hostCaNotAfter.ToUnixTimeSeconds());
        Family(text, "kith_host_ca_installed_total", "counter", "Newer Host CA certificates for this machine's key installed from fleet states.");
        Sample(text, "kith_host_ca_installed_total", null, HostCaInstalled);
        Family(text, "kith_state_accepted_total", "counter", "Fleet states accepted.");
        Sample(text, "kith_state_accepted_total", null, Accepted);
        Family(text, "kith_state_refused_total", "counter", "Fleet states refused, by reason.");
        foreach (var reason in Enum.GetValues<FleetStateRefusal>())
        {
            Sample(text, "kith_state_refused_total", $"reason=\"{ReasonLabel(reason)}\"", Interlocked.Read(ref refused[(int)reason]));
        }

        Sample(text, "kith_state_refused_total", "reason=\"too_large\"", Interlocked.Read(ref refused[TooLargeIndex]));
        IReadOnlyDictionary<string, DateTimeOffset> notAfter;
        lock (endpointsGate)
        {
            notAfter = endpointNotAfter;
        }

        Family(text, "kith_endpoint_not_after_seconds", "gauge", "Expiry of each endpoint's certificate on disk (by service), Unix seconds.");
        foreach (var (endpoint, at) in notAfter.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            Sample(text, "kith_endpoint_not_after_seconds", $"endpoint=\"{Escape(endpoint)}\"", at.ToUnixTimeSeconds());
        }

        Family(text, "kith_issued_total", "counter", "Endpoint certificates issued where none was current on disk.");
        Sample(text, "kith_issued_total", null, Issued);
        Family(text, "kith_renewed_total", "counter", "Endpoint certificates replaced (due, expired, names or issuer changed).");
        Sample(text, "kith_renewed_total", null, Renewed);
        Family(text, "kith_reconcile_failures_total", "counter", "Failed issuances, reloads, removals and passes.");
        Sample(text, "kith_reconcile_failures_total", null, ReconcileFailures);
        Family(text, "kith_last_reconcile_timestamp_seconds", "gauge", "End of the last completed reconcile pass, Unix seconds (absent before the first).");
        var last = Interlocked.Read(ref lastReconcile);
        Sample(text, "kith_last_reconcile_timestamp_seconds", null, last >= 0 ? last : null);
        Family(text, "kith_peer_pulls_total", "counter", "Fleet states asked of peers, by result.");
        foreach (var result in Enum.GetValues<PeerPullResult>())
        {
            Sample(text, "kith_peer_pulls_total", $"result=\"{PeerPullLabel(result)}\"", PeerPulls(result));
        }

        Family(text, "kith_last_sync_timestamp_seconds", "gauge", "End of the last peer sync round in which a peer answered, Unix seconds (absent before the first).");
        var synced = Interlocked.Read(ref lastSync);
        Sample(text, "kith_last_sync_timestamp_seconds", null, synced >= 0 ? synced : null);
        Family(text, "kith_proxy_reloads_total", "counter", "Reverse proxy reloads run by the agent, by result.");
        Sample(text, "kith_proxy_reloads_total", "result=\"ok\"", Interlocked.Read(ref proxyReloadsOk));
        Sample(text, "kith_proxy_reloads_total", "result=\"failed\"", Interlocked.Read(ref proxyReloadsFailed));
        Family(text, "kith_proxy_config_rejected_total", "counter", "Reverse proxy configs refused by the validate command and rolled back.");
        Sample(text, "kith_proxy_config_rejected_total", null, Interlocked.Read(ref proxyRejected));
        return text.ToString();
    }

    /// <summary>A peer pull result as a metric label: NotNewer → not_newer.</summary>
    public static string PeerPullLabel(PeerPullResult result) => result switch
    {
        PeerPullResult.Accepted => "accepted",
        PeerPullResult.NotNewer => "not_newer",
        PeerPullResult.Refused => "refused",
        _ => "unreachable",
    };

    /// <summary>The HELP and TYPE lines of one metric family (Prometheus text format 0.0.4).</summary>
    private static void Family(StringBuilder text, string name, string type, string help) =>
        text.Append(CultureInfo.InvariantCulture, $"# HELP {name} {help}\n# TYPE {name} {type}\n");

    /// <summary>One sample line; a null value writes nothing (the series is absent).</summary>
    private static void Sample(StringBuilder text, string name, string? labels, long? value)
    {
        if (value is null)
        {
            return;
        }

        text.Append(name);
        if (labels is not null)
        {
            text.Append('{').Append(labels).Append('}');
        }

        text.Append(CultureInfo.InvariantCulture, $" {value}\n");
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
