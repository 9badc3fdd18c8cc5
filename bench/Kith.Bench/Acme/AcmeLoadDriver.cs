using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Kith.Bench.Acme;

/// <summary>
/// <c>acme-load --directory URL --ca FILE --clients N --orders M [--poll-ms 50] [--server-pid PID] [--domain SUFFIX]
/// [--label TEXT] [--json] [--json-file PATH]</c>:
/// N concurrent ACME clients (<see cref="AcmeLoadClient"/>) place M orders in all against one server and
/// report orders per second end to end, latency per request type, failures, duplicate serials, and with
/// --server-pid the server's CPU time per certificate. The server must treat challenges as valid without
/// checking them (pebble's PEBBLE_VA_ALWAYS_VALID, kith's acme_test_auto_valid). Exit code 0 only when every
/// order made a certificate and no serial repeated.
/// </summary>
internal static class AcmeLoadDriver
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (AcmeLoadOptions.Parse(args) is not { } options)
        {
            return 2;
        }

        X509Certificate2Collection trust = [];
        try
        {
            trust.ImportFromPemFile(options.CaFile);
        }
        catch (CryptographicException e)
        {
            Console.Error.WriteLine($"acme-load: --ca {options.CaFile}: not a PEM certificate file ({e.Message})");
            return 2;
        }

        if (trust.Count == 0)
        {
            Console.Error.WriteLine($"acme-load: --ca {options.CaFile}: holds no PEM certificate");
            return 2;
        }

        using var http = CreateHttpClient(trust, options.Clients);
        var totals = new LoadRecorder();
        AcmeEndpoints endpoints;
        try
        {
            endpoints = await DirectoryAsync(http, options.Directory, totals);
        }
        catch (AcmeFailure failure)
        {
            Console.Error.WriteLine($"acme-load: {options.Label}: {failure.Message}");
            return 1;
        }

        var counter = new OrderCounter(options.Orders);
        var failures = new FailureLog();
        var clients = Enumerable.Range(0, options.Clients).Select(i => new AcmeLoadClient(i, options, endpoints, http, counter, failures)).ToList();
        var cpuBefore = options.ServerPid is { } pid ? ServerProcessProbe.CpuMilliseconds(pid) : null;
        var ownCpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(clients.Select(c => Task.Run(() => c.RunAsync(CancellationToken.None))));
        var seconds = clock.Elapsed.TotalSeconds;
        var ownCpu = (Process.GetCurrentProcess().TotalProcessorTime - ownCpuBefore).TotalMilliseconds;
        var cpuAfter = options.ServerPid is { } pid2 ? ServerProcessProbe.CpuMilliseconds(pid2) : null;
        var peak = options.ServerPid is { } pid3 ? ServerProcessProbe.PeakResidentMiB(pid3) : null;

        foreach (var client in clients)
        {
            totals.Add(client.Recorder);
        }

        var duplicates = totals.Serials.Count - totals.Serials.Distinct(StringComparer.OrdinalIgnoreCase).Count();
        var result = new AcmeLoadResult(options, seconds, totals, duplicates, cpuAfter - cpuBefore, peak, ownCpu);
        if (options.JsonFile is { } jsonFile)
        {
            using var file = File.Create(jsonFile);
            AcmeLoadReport.WriteJson(result, file);
        }

        if (options.Json)
        {
            using var stdout = Console.OpenStandardOutput();
            AcmeLoadReport.WriteJson(result, stdout);
            stdout.Write("\n"u8);
        }
        else
        {
            AcmeLoadReport.WriteTable(result, Console.Out);
        }

        if (counter.Stopped)
        {
            Console.Error.WriteLine($"acme-load: {options.Label}: the run was abandoned: the server stopped answering (see the failures above)");
        }

        if (!result.Clean)
        {
            Console.Error.WriteLine($"acme-load: {options.Label}: {result.Certificates} of {options.Orders} orders made a certificate, {result.FailureCount} failures, {duplicates} duplicate serials");
        }

        return result.Clean ? 0 : 1;
    }

    /// <summary>
    /// One client shared by all load clients: HTTP/1.1 with keep-alive (one pooled connection per client at
    /// most), trusting only the given CA for the server's certificate; the host name is still checked.
    /// </summary>
    private static HttpClient CreateHttpClient(X509Certificate2Collection trust, int clients)
    {
        var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
        policy.CustomTrustStore.AddRange(trust);
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = clients,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
            SslOptions = { CertificateChainPolicy = policy },
        };
        return new HttpClient(handler)
        {
            DefaultRequestVersion = HttpVersion.Version11,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Timeout = TimeSpan.FromSeconds(60),
        };
    }

    private static async Task<AcmeEndpoints> DirectoryAsync(HttpClient http, Uri url, LoadRecorder recorder)
    {
        var started = Stopwatch.GetTimestamp();
        HttpResponseMessage response;
        try
        {
            response = await http.GetAsync(url);
        }
        catch (HttpRequestException e)
        {
            throw new AcmeFailure("transport", $"GET {url}: {e.Message}{(e.InnerException is { } inner ? " (" + inner.Message + ")" : string.Empty)}");
        }
        catch (TaskCanceledException)
        {
            throw new AcmeFailure("timeout", $"GET {url}: no answer within {http.Timeout.TotalSeconds:0} s");
        }

        using (response)
        {
            var content = await response.Content.ReadAsByteArrayAsync();
            recorder.Record(AcmeRequestType.Directory, Stopwatch.GetTimestamp() - started);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                throw new AcmeFailure($"http-{(int)response.StatusCode}", $"GET {url}: expected 200, got {(int)response.StatusCode}: {System.Text.Encoding.UTF8.GetString(content, 0, Math.Min(content.Length, 500))}");
            }

            return AcmeEndpoints.Parse(content, url.AbsoluteUri);
        }
    }
}
