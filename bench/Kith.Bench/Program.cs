using BenchmarkDotNet.Running;
using Kith.Bench;
using Kith.Bench.Acme;

if (args.Length > 0 && args[0] == "throughput")
{
    return ThroughputDriver.Run(args[1..]);
}

if (args.Length > 0 && args[0] == "seed-store")
{
    return await StoreSeeder.RunAsync(args[1..]);
}

if (args.Length > 0 && args[0] == "renew-endpoints")
{
    return await RenewEndpointsDriver.RunAsync(args[1..]);
}

if (args.Length > 0 && args[0] == "acme-load")
{
    return await AcmeLoadDriver.RunAsync(args[1..]);
}

if (args.Length > 0 && args[0] == "fleet-convergence")
{
    return await FleetConvergenceDriver.RunAsync(args[1..]);
}

if (args.Length > 0 && args[0] == "crl-size")
{
    return CrlBenchmarks.PrintSizes();
}

var summaries = BenchmarkSwitcher.FromAssembly(typeof(ThroughputDriver).Assembly).Run(args);

// One parseable line per benchmark for scripts (bench/run-issuance.sh): ops/s from the mean, and from the
// fastest iteration, which other work on a busy machine disturbs least.
foreach (var report in summaries.SelectMany(s => s.Reports))
{
    if (report.ResultStatistics is { } statistics)
    {
        Console.WriteLine(FormattableString.Invariant(
            $"RESULT {report.BenchmarkCase.Descriptor.WorkloadMethod.Name} ops/s={1e9 / statistics.Mean:F0} best-ops/s={1e9 / statistics.Min:F0} mean-us={statistics.Mean / 1000:F2}"));
    }
}

return 0;
