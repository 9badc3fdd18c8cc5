using System.Globalization;
using System.Text;
using Kith.Fleet;

namespace Kith.Agent;

/// <summary>The agent's counters, written as Prometheus text exposition format (version 0.0.4) by hand.</summary>
public sealed class AgentMetrics
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private readonly long[] refused = new long[Enum.GetValues<FleetStateRefusal>().Length + 1];
    private long accepted;

    /// <summary>The index of "too large" (413), which never reaches the verifier.</summary>
    private int TooLargeIndex => refused.Length - 1;

    public long Accepted => Interlocked.Read(ref accepted);

    public void CountAccepted() => Interlocked.Increment(ref accepted);

    public void CountRefused(FleetStateRefusal reason) => Interlocked.Increment(ref refused[(int)reason]);

    public void CountTooLarge() => Interlocked.Increment(ref refused[TooLargeIndex]);

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
        return text.ToString();
    }

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
