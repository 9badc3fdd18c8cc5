using System.Diagnostics;
using System.Globalization;
using System.Net;
using Kith.Fleet;
using Kith.Pki;
using Kith.Reconcile;

namespace Kith.Bench;

/// <summary>
/// <c>renew-endpoints --count N</c>: one machine with N endpoints (each its own folder under a temporary files
/// root), reconciled by <see cref="EndpointReconciler"/> as the agent runs it. Pass 1 issues all N; the clock
/// then moves 6 days on (past 2/3 of the 7-day lifetime, before expiry), so the next pass renews all N; a
/// last pass finds nothing due. Prints wall time, GC allocations and the process's peak RSS per pass.
/// </summary>
internal static class RenewEndpointsDriver
{
    private const string Machine = "storage";
    private const string Domain = "home.arpa";

    public static async Task<int> RunAsync(string[] args)
    {
        var count = 1000;
        string? keep = null;
        var separate = false;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--count" when i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var n) && n > 0:
                    count = n;
                    i++;
                    break;
                case "--separate-parents":
                    separate = true;
                    break;
                case "--dir" when i + 1 < args.Length:
                    keep = args[++i];
                    break;
                default:
                    Console.Error.WriteLine("usage: renew-endpoints [--count N] [--separate-parents] [--dir FILES_ROOT]");
                    return 2;
            }
        }

        var root = keep ?? Directory.CreateTempSubdirectory("kith-renew-").FullName;
        Directory.CreateDirectory(root);
        try
        {
            return await MeasureAsync(count, root, separate);
        }
        finally
        {
            if (keep is null)
            {
                Directory.Delete(root, recursive: true);
            }
        }
    }

    private static async Task<int> MeasureAsync(int count, string root, bool separate)
    {
        var clock = new OffsetClock();
        var start = clock.GetUtcNow();
        using var authorities = CreateAuthorities(start);
        var endpoints = Enumerable.Range(0, count)
            .Select(i => new FleetEndpoint($"s{i:D4}", [$"s{i:D4}.{Machine}.{Domain}"], "server", Folder: separate ? $"/srv/s{i:D4}/tls" : $"/srv/tls/s{i:D4}"))
            .ToList();
        var state = new FleetState(1, Domain, start, [new FleetMachine(Machine, ["100.64.0.10"], [], [], endpoints)], [], [], null, "ROOT");
        var reconciler = new EndpointReconciler(clock, new ReconcileOptions
        {
            PathRoot = root,
            ManifestPath = Path.Combine(root, "endpoints.manifest"),
        });

        Console.WriteLine(FormattableString.Invariant($"renew-endpoints: {count} endpoints, folders {(separate ? "/srv/sNNNN/tls (one parent folder each)" : "/srv/tls/sNNNN (one shared parent folder)")} under {root}"));
        Console.WriteLine(FormattableString.Invariant($"baseline: VmRSS {Status("VmRSS")} MiB, VmHWM {Status("VmHWM")} MiB"));
        var issued = await PassAsync("pass 1 (issue)", reconciler, state, authorities.Host, EndpointAction.Issued, count);
        clock.Offset = TimeSpan.FromDays(6);
        var peakReset = ResetPeak();
        var renewed = await PassAsync("pass 2 (renew all, clock +6 d)", reconciler, state, authorities.Host, EndpointAction.Renewed, count);
        var kept = await PassAsync("pass 3 (nothing due)", reconciler, state, authorities.Host, EndpointAction.Kept, count);
        Console.WriteLine(peakReset
            ? "(VmHWM was reset before pass 2 through /proc/self/clear_refs, so pass 2's and 3's peak excludes pass 1)"
            : "(VmHWM could not be reset: the peaks are the whole process's)");
        return issued && renewed && kept ? 0 : 1;
    }

    private static async Task<bool> PassAsync(string label, EndpointReconciler reconciler, FleetState state, CertificateAuthority hostCa, EndpointAction expected, int count)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var collections = GC.CollectionCount(0);
        using var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;
        var kernel = process.PrivilegedProcessorTime;
        var watch = Stopwatch.StartNew();
        var result = await reconciler.ReconcileAsync(state, Machine, hostCa);
        watch.Stop();
        process.Refresh();
        var cpuSeconds = (process.TotalProcessorTime - cpu).TotalSeconds;
        var kernelSeconds = (process.PrivilegedProcessorTime - kernel).TotalSeconds;
        var allocatedMib = (GC.GetTotalAllocatedBytes(precise: true) - allocated) / 1048576.0;
        var matching = result.Endpoints.Count(e => e.Action == expected);
        Console.WriteLine(FormattableString.Invariant(
            $"RESULT {label}: {watch.Elapsed.TotalSeconds:F3} s, {watch.Elapsed.TotalMicroseconds / count:F0} µs/endpoint (CPU {cpuSeconds:F2} s, of it kernel {kernelSeconds:F2} s), {matching}/{count} {expected.ToString().ToLowerInvariant()}, GC allocated {allocatedMib:F1} MiB ({GC.CollectionCount(0) - collections} gen0 GCs), VmHWM {Status("VmHWM")} MiB, VmRSS {Status("VmRSS")} MiB, parent folders listed for the leftover sweep: {reconciler.LastPassFolderListings}"));
        if (matching != count)
        {
            foreach (var failed in result.Endpoints.Where(e => e.Action != expected).Take(5))
            {
                Console.Error.WriteLine($"  {failed.Service}: {failed.Action} ({failed.Reason})");
            }

            return false;
        }

        return true;
    }

    /// <summary>A Root and the machine's Host CA, constrained to storage.home.arpa (its endpoints are below it).</summary>
    private static Authorities CreateAuthorities(DateTimeOffset now)
    {
        var (rootCertificate, rootKey) = RootCa.Create(Domain, KeyAlgorithm.EcdsaP256, TimeSpan.FromDays(3650), now);
        var root = new CertificateAuthority("root", rootCertificate, rootKey);
        var hostKey = Keys.Create(KeyAlgorithm.EcdsaP256);
        var spki = HostCa.ReadSigningRequest(HostCa.CreateSigningRequest(Machine, hostKey), "bench.csr");
        var constraints = new NameConstraints([$"{Machine}.{Domain}"], [IPAddress.Parse("100.64.0.10")]);
        var host = HostCa.Sign(root, Machine, Domain, spki, constraints, now - TimeSpan.FromMinutes(5), now + TimeSpan.FromDays(365), SerialNumber.New());
        return new Authorities(root, new CertificateAuthority(Machine, host, hostKey, [root.SubjectPublicKeyInfo]));
    }

    /// <summary>A field of /proc/self/status (VmRSS, VmHWM) in MiB.</summary>
    internal static string Status(string field, string path = "/proc/self/status")
    {
        foreach (var line in File.ReadLines(path))
        {
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
            {
                var kib = long.Parse(line[(field.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
                return (kib / 1024.0).ToString("F1", CultureInfo.InvariantCulture);
            }
        }

        return "?";
    }

    /// <summary>Writing 5 to clear_refs resets VmHWM to the current RSS (Linux 4.0 and later).</summary>
    private static bool ResetPeak()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private sealed record Authorities(CertificateAuthority Root, CertificateAuthority Host) : IDisposable
    {
        public void Dispose()
        {
            Host.Dispose();
            Root.Dispose();
        }
    }

    /// <summary>The system clock moved by <see cref="Offset"/>: the reconciler and the issuer see the same time.</summary>
    private sealed class OffsetClock : TimeProvider
    {
        public TimeSpan Offset { get; set; }

        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + Offset;
    }
}
