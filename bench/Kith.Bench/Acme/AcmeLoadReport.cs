using System.Globalization;
using System.Text.Json;

namespace Kith.Bench.Acme;

/// <summary>Prints an <see cref="AcmeLoadResult"/> as a table with a RESULT line for scripts, or as JSON.</summary>
internal static class AcmeLoadReport
{
    public static void WriteTable(AcmeLoadResult result, TextWriter output)
    {
        var o = result.Options;
        var t = result.Totals;
        output.WriteLine(Invariant($"acme-load {o.Label}: {o.Directory} clients={o.Clients} orders={o.Orders} poll-ms={o.PollInterval.TotalMilliseconds:0}"));
        output.WriteLine(Invariant($"  {result.Certificates} certificates in {result.Seconds:F2} s: {result.OrdersPerSecond:F1} orders/s end to end"));
        output.WriteLine(Invariant($"  requests {result.Requests} ({(result.Certificates > 0 ? (double)result.Requests / result.Certificates : 0):F1} per certificate), badNonce retries {t.BadNonceRetries}, sleeps between polls: authz {t.AuthzPollSleeps}, order {t.OrderPollSleeps} ({t.PollSleepTime.TotalSeconds:F1} s summed over clients)"));
        output.WriteLine("  type          count    p50 ms    p99 ms    max ms");
        foreach (var f in result.ByType())
        {
            output.WriteLine(Invariant($"  {f.Type,-12} {f.Count,6} {f.P50,9:F2} {f.P99,9:F2} {f.Max,9:F2}"));
        }

        output.WriteLine("  failures: " + (t.Failures.Count == 0 ? "none" : string.Join(", ", t.Failures.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => $"{f.Key} {f.Value}"))));
        output.WriteLine(Invariant($"  serials: {t.Serials.Count} collected, {result.DuplicateSerials} duplicates"));
        output.WriteLine(Invariant($"  driver (all clients): CPU {result.ClientCpuMilliseconds:F0} ms, {Text(result.ClientCpuPerCertificate, "F2")} ms per certificate"));
        if (o.ServerPid is { } pid)
        {
            output.WriteLine(Invariant($"  server pid {pid}: CPU {Text(result.ServerCpuMilliseconds, "F0")} ms during the run, {Text(result.ServerCpuPerCertificate, "F2")} ms per certificate; VmHWM {Text(result.ServerPeakMiB, "F1")} MiB"));
        }

        output.WriteLine(Invariant(
            $"RESULT acme-load label={o.Label} clients={o.Clients} orders={o.Orders} certs={result.Certificates} seconds={result.Seconds:F2} orders/s={result.OrdersPerSecond:F1} failures={result.FailureCount} duplicates={result.DuplicateSerials} cpu-ms/cert={Text(result.ServerCpuPerCertificate, "F2")} client-cpu-ms/cert={Text(result.ClientCpuPerCertificate, "F2")} vmhwm-mib={Text(result.ServerPeakMiB, "F1")}"));
    }

    public static void WriteJson(AcmeLoadResult result, Stream output)
    {
        var o = result.Options;
        var t = result.Totals;
        using var w = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true });
        w.WriteStartObject();
        w.WriteString("label", o.Label);
        w.WriteString("directory", o.Directory.AbsoluteUri);
        w.WriteNumber("clients", o.Clients);
        w.WriteNumber("orders", o.Orders);
        w.WriteNumber("poll_ms", o.PollInterval.TotalMilliseconds);
        w.WriteNumber("certificates", result.Certificates);
        w.WriteNumber("seconds", Math.Round(result.Seconds, 3));
        w.WriteNumber("orders_per_second", Math.Round(result.OrdersPerSecond, 2));
        w.WriteNumber("requests", result.Requests);
        w.WriteNumber("bad_nonce_retries", t.BadNonceRetries);
        w.WriteNumber("authz_poll_sleeps", t.AuthzPollSleeps);
        w.WriteNumber("order_poll_sleeps", t.OrderPollSleeps);
        w.WriteStartObject("latency_ms");
        foreach (var f in result.ByType())
        {
            w.WriteStartObject(JsonNamingPolicy.SnakeCaseLower.ConvertName(f.Type.ToString()));
            w.WriteNumber("count", f.Count);
            w.WriteNumber("p50", Math.Round(f.P50, 3));
            w.WriteNumber("p99", Math.Round(f.P99, 3));
            w.WriteNumber("max", Math.Round(f.Max, 3));
            w.WriteEndObject();
        }

        w.WriteEndObject();
        w.WriteStartObject("failures");
        foreach (var (kind, count) in t.Failures.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            w.WriteNumber(kind, count);
        }

        w.WriteEndObject();
        w.WriteNumber("duplicate_serials", result.DuplicateSerials);
        Number(w, "client_cpu_ms_per_certificate", result.ClientCpuPerCertificate);
        if (o.ServerPid is { } pid)
        {
            w.WriteStartObject("server");
            w.WriteNumber("pid", pid);
            Number(w, "cpu_ms", result.ServerCpuMilliseconds);
            Number(w, "cpu_ms_per_certificate", result.ServerCpuPerCertificate);
            Number(w, "vmhwm_mib", result.ServerPeakMiB);
            w.WriteEndObject();
        }

        w.WriteBoolean("clean", result.Clean);
        w.WriteEndObject();
    }

    private static void Number(Utf8JsonWriter w, string name, double? value)
    {
        if (value is { } v)
        {
            w.WriteNumber(name, Math.Round(v, 3));
        }
        else
        {
            w.WriteNull(name);
        }
    }

    private static string Text(double? value, string format) => value?.ToString(format, CultureInfo.InvariantCulture) ?? "?";

    private static string Invariant(FormattableString text) => FormattableString.Invariant(text);
}
