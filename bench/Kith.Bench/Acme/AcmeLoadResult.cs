namespace Kith.Bench.Acme;

/// <summary>The figures of one load run, computed once for the table and the JSON.</summary>
internal sealed record AcmeLoadResult(
    AcmeLoadOptions Options,
    double Seconds,
    LoadRecorder Totals,
    int DuplicateSerials,
    double? ServerCpuMilliseconds,
    double? ServerPeakMiB,
    double ClientCpuMilliseconds)
{
    public int Certificates => Totals.Certificates;

    public double OrdersPerSecond => Certificates / Seconds;

    public int Requests => Enum.GetValues<AcmeRequestType>().Sum(t => Totals.Latencies(t).Count);

    public int FailureCount => Totals.Failures.Values.Sum();

    /// <summary>The driver's own CPU per certificate: on one machine, what the clients take from the server.</summary>
    public double? ClientCpuPerCertificate => Certificates > 0 ? ClientCpuMilliseconds / Certificates : null;

    public double? ServerCpuPerCertificate => ServerCpuMilliseconds is { } cpu && Certificates > 0 ? cpu / Certificates : null;

    /// <summary>The run met its own checks: every order made a certificate, nothing failed, no serial repeated.</summary>
    public bool Clean => FailureCount == 0 && DuplicateSerials == 0 && Certificates == Options.Orders;

    public IEnumerable<TypeFigures> ByType() => Enum.GetValues<AcmeRequestType>()
        .Select(t => TypeFigures.Of(t, Totals.Latencies(t)))
        .Where(f => f.Count > 0);
}

/// <summary>Latency figures of one request type in milliseconds (nearest-rank percentiles).</summary>
internal sealed record TypeFigures(AcmeRequestType Type, int Count, double P50, double P99, double Max)
{
    public static TypeFigures Of(AcmeRequestType type, IReadOnlyList<long> ticks)
    {
        if (ticks.Count == 0)
        {
            return new TypeFigures(type, 0, 0, 0, 0);
        }

        var sorted = ticks.Order().ToArray();
        double At(double quantile) => LoadRecorder.Milliseconds(sorted[Math.Max(0, (int)Math.Ceiling(quantile * sorted.Length) - 1)]);
        return new TypeFigures(type, sorted.Length, At(0.50), At(0.99), LoadRecorder.Milliseconds(sorted[^1]));
    }
}
