using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Kith.Pki;

namespace Kith.Bench;

/// <summary>
/// `throughput --threads N --seconds S [--new-key]`: N threads, each with its own <see cref="LeafIssuer"/>,
/// issue server leaves (policy checks on, PEM out) until the time is up; prints certificates per second.
/// </summary>
internal static class ThroughputDriver
{
    public static int Run(string[] args)
    {
        var threads = 1;
        var seconds = 5.0;
        var newKey = false;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--threads":
                    threads = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--seconds":
                    seconds = double.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--new-key":
                    newKey = true;
                    break;
                default:
                    Console.Error.WriteLine($"unknown argument '{args[i]}'; usage: throughput --threads N --seconds S [--new-key]");
                    return 2;
            }
        }

        if (threads < 1 || seconds <= 0)
        {
            Console.Error.WriteLine("--threads must be ≥ 1 and --seconds > 0");
            return 2;
        }

        using var fixture = new IssuanceFixture();
        var counts = new long[threads];
        var duration = TimeSpan.FromSeconds(seconds);
        using var start = new Barrier(threads + 1);
        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            using var issuer = new LeafIssuer(fixture.Host);
            var request = IssuanceFixture.Request(fixture.LeafSpki);
            var sink = 0L;
            Issue(issuer, request, newKey, ref sink); // warm this thread's key handle and buffers
            start.SignalAndWait();
            var clock = Stopwatch.StartNew();
            var count = 0L;
            while (clock.Elapsed < duration)
            {
                Issue(issuer, request, newKey, ref sink);
                count++;
            }

            counts[t] = count;
            GC.KeepAlive(sink);
        })
        { IsBackground = true, Name = $"issuer-{t}" }).ToList();

        // Warm the JIT on this thread first, so the timed threads start on optimised code.
        using (var warm = new LeafIssuer(fixture.Host))
        {
            var sink = 0L;
            var request = IssuanceFixture.Request(fixture.LeafSpki);
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < TimeSpan.FromSeconds(1))
            {
                Issue(warm, request, newKey, ref sink);
            }
        }

        workers.ForEach(w => w.Start());
        start.SignalAndWait();
        var wall = Stopwatch.StartNew();
        workers.ForEach(w => w.Join());
        var elapsed = wall.Elapsed.TotalSeconds;
        var total = counts.Sum();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"throughput threads={threads} new-key={(newKey ? "yes" : "no")} seconds={elapsed:F2} certs={total} certs/s={total / elapsed:F0}"));
        return 0;
    }

    private static void Issue(LeafIssuer issuer, LeafRequest request, bool newKey, ref long sink)
    {
        if (!newKey)
        {
            sink += issuer.Issue(request).ToPem().Length;
            return;
        }

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        sink += key.ExportPkcs8PrivateKeyPem().Length;
        sink += issuer.Issue(IssuanceFixture.Request(key.ExportSubjectPublicKeyInfo())).ToPem().Length;
    }
}
