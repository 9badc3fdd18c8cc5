using System.Net;
using Kith.Dns;
using Kith.Dns.Server;
using Kith.Dns.Update;
using Kith.Fleet;
using Microsoft.Extensions.Logging;

namespace Kith.Agent;

/// <summary>
/// The agent's DNS server (docs/dns.md, "Serving"): runs only while this machine has role dns in the held fleet
/// state; every accepted state rebuilds the zones and loads them without a restart; a change of role or
/// address starts, stops or rebinds it. A port that cannot be bound is logged once per state, never retried in a loop.
/// </summary>
internal sealed partial class AgentDns : IAsyncDisposable
{
    /// <summary>The DNS port used when dns_listen is not set.</summary>
    public const int DefaultPort = 53;

    private readonly AgentOptions options;
    private readonly string machine;
    private readonly ILogger logger;
    private readonly Lock gate = new();
    private readonly DynamicTxtRecords dynamicTxt = new();
    private FleetDnsServer? server;
    private IReadOnlyList<IPEndPoint> serving = [];
    private volatile IReadOnlyList<FleetZone> zones = [];
    private string? error;
    private bool disposed;

    public AgentDns(AgentOptions options, string machine, ILogger logger)
    {
        this.options = options;
        this.machine = machine;
        this.logger = logger;
        foreach (var warning in options.DnsUpdateKeyWarnings)
        {
            LogKeyWarning(logger, warning);
        }
    }

    /// <summary>Serves (or stops serving) what <paramref name="state"/> says; called at start and after every accepted state.</summary>
    public void Apply(FleetState? state)
    {
        lock (gate)
        {
            if (disposed)
            {
                return;
            }

            var wanted = state is null ? [] : Addresses(state);
            if (wanted.Count == 0)
            {
                if (server is not null)
                {
                    LogStopped(logger, state is null ? "no fleet state" : "this machine has no dns role or no DNS address");
                    Stop();
                }

                error = null;
                return;
            }

            zones = FleetZones.Build(state!);
            if (server is not null && serving.SequenceEqual(wanted))
            {
                server.Load(zones);
                return;
            }

            Stop();
            var next = new FleetDnsServer(
                new DnsServerOptions
                {
                    Listen = wanted,
                    Updates = options.DnsUpdateKeys.Count == 0 ? null : new DnsUpdateHandler(options.DnsUpdateKeys, dynamicTxt, () => zones, logger),
                    DynamicTxt = dynamicTxt,
                },
                logger);
            next.Load(zones);
            try
            {
                next.StartAsync(CancellationToken.None).GetAwaiter().GetResult();
            }
            catch (KithException e)
            {
                next.DisposeAsync().AsTask().GetAwaiter().GetResult();
                error = e.Message;
                LogBindFailed(logger, e.Message);
                return;
            }

            server = next;
            serving = wanted;
            error = null;
            LogServing(logger, string.Join(", ", next.BoundEndpoints), options.DnsUpdateKeys.Count);
        }
    }

    /// <summary>The /healthz part.</summary>
    public AgentDnsHealth Health()
    {
        lock (gate)
        {
            return server is null
                ? new AgentDnsHealth(false, [], 0, null, 0, error)
                : new AgentDnsHealth(true, [.. server.BoundEndpoints.Select(e => e.ToString())], server.ZoneCount, server.Serial, server.Counters.Total, null);
        }
    }

    /// <summary>The query counters in Prometheus text (nothing while not serving).</summary>
    public string RenderMetrics()
    {
        FleetDnsServer? current;
        lock (gate)
        {
            current = server;
        }

        if (current is null)
        {
            return string.Empty;
        }

        var text = new System.Text.StringBuilder();
        text.Append("# HELP kith_dns_queries_total DNS queries answered, by response code.\n# TYPE kith_dns_queries_total counter\n");
        foreach (var (rcode, count) in current.Counters.ByRcode())
        {
            text.Append(System.Globalization.CultureInfo.InvariantCulture, $"kith_dns_queries_total{{rcode=\"{rcode}\"}} {count}\n");
        }

        text.Append(System.Globalization.CultureInfo.InvariantCulture, $"# HELP kith_dns_dropped_total DNS messages dropped unanswered (too short, or not a query).\n# TYPE kith_dns_dropped_total counter\nkith_dns_dropped_total {current.Counters.Dropped}\n");
        text.Append(System.Globalization.CultureInfo.InvariantCulture, $"# HELP kith_dns_zone_serial SOA serial of the served zones.\n# TYPE kith_dns_zone_serial gauge\nkith_dns_zone_serial {current.Serial}\n");
        return text.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        FleetDnsServer? current;
        lock (gate)
        {
            disposed = true;
            current = server;
            server = null;
        }

        if (current is not null)
        {
            await current.DisposeAsync().ConfigureAwait(false);
        }

        dynamicTxt.Dispose();
    }

    /// <summary>Where to serve under <paramref name="state"/>: nothing unless this machine has role dns.</summary>
    private IReadOnlyList<IPEndPoint> Addresses(FleetState state)
    {
        var self = state.Machines.FirstOrDefault(m => m.Name == machine);
        if (self is null || !self.Roles.Contains(FleetZones.DnsRole, StringComparer.Ordinal))
        {
            return [];
        }

        return options.DnsListen
            ?? [.. self.Addresses.Select(a => IPAddress.TryParse(a, out var address) ? new IPEndPoint(address, DefaultPort) : null).OfType<IPEndPoint>().Distinct()];
    }

    private void Stop()
    {
        server?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        server = null;
        serving = [];
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "dns: serving the fleet zones on {Addresses} (UDP and TCP); {Keys} update keys")]
    private static partial void LogServing(ILogger logger, string addresses, int keys);

    [LoggerMessage(Level = LogLevel.Information, Message = "dns: stopped serving ({Reason})")]
    private static partial void LogStopped(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "dns: not serving: {Error}")]
    private static partial void LogBindFailed(ILogger logger, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "dns: {Warning}")]
    private static partial void LogKeyWarning(ILogger logger, string warning);
}

/// <summary>The <c>dns</c> part of GET /healthz.</summary>
/// <param name="Serving">Whether the DNS server is answering.</param>
/// <param name="Listen">The addresses bound (UDP and TCP).</param>
/// <param name="Serial">The SOA serial served, null when not serving.</param>
/// <param name="Queries">Queries answered since the server started.</param>
/// <param name="Error">Why it is not serving although it should (e.g. a taken port), or null.</param>
public sealed record AgentDnsHealth(bool Serving, IReadOnlyList<string> Listen, int Zones, long? Serial, long Queries, string? Error);
