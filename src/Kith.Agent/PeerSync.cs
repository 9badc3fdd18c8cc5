using System.Net;
using System.Net.Http.Headers;
using System.Security.Authentication;
using Kith.Fleet;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Kith.Agent;

/// <summary>
/// Pulls newer fleet states from peer agents (docs/agent.md, "Peer sync"), so a state published to one agent
/// reaches all: a round soon after start and then every <see cref="AgentOptions.PeerInterval"/> ±20 %; in each
/// round the bootstrap machines first, then a few others, until one gives a state this agent accepts.
/// </summary>
internal sealed partial class PeerSync : BackgroundService
{
    /// <summary>The first round waits a random part of this, so agents started together do not ask at once.</summary>
    private static readonly TimeSpan FirstRoundSpread = TimeSpan.FromSeconds(2);

    /// <summary>One peer's whole request (connect, TLS, body); a slow peer must not hold a round for long.</summary>
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);

    private const double Jitter = 0.2;

    private readonly AgentOptions options;
    private readonly AgentIdentity identity;
    private readonly StateAcceptor acceptor;
    private readonly AgentMetrics metrics;
    private readonly ILogger logger;
    private readonly HashSet<string> failing = new(StringComparer.Ordinal);
    private HttpClient? client;
    private string? clientAddresses;
    private bool saidNoPeers;

    public PeerSync(AgentOptions options, AgentIdentity identity, StateAcceptor acceptor, AgentMetrics metrics, ILogger logger)
    {
        this.options = options;
        this.identity = identity;
        this.acceptor = acceptor;
        this.metrics = metrics;
        this.logger = logger;
    }

    public override void Dispose()
    {
        client?.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        LogStarting(logger, (int)options.PeerInterval.TotalSeconds, options.PeerPort, options.Peers.Count);
        try
        {
            await Task.Delay(FirstRoundSpread * Random.Shared.NextDouble(), stoppingToken).ConfigureAwait(false);
            while (!stoppingToken.IsCancellationRequested)
            {
                await RoundAsync(stoppingToken).ConfigureAwait(false);
                var pause = options.PeerInterval * (1 - Jitter + (2 * Jitter * Random.Shared.NextDouble()));
                await Task.Delay(pause, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    private async Task RoundAsync(CancellationToken stoppingToken)
    {
        var state = acceptor.Current;
        var peers = PeerList.From(state, identity.Machine, identity.Domain, options.PeerPort, options.Peers);
        if (peers.Count == 0)
        {
            if (!saidNoPeers)
            {
                LogNoPeers(logger);
                saidNoPeers = true;
            }

            return;
        }

        saidNoPeers = false;
        var http = ClientFor(peers);
        var answered = false;
        foreach (var peer in PeerList.RoundOrder(peers, Random.Shared))
        {
            var result = await PullAsync(http, peer, acceptor.Version, stoppingToken).ConfigureAwait(false);
            metrics.CountPeerPull(result);
            answered |= result != PeerPullResult.Unreachable;
            if (result == PeerPullResult.Accepted)
            {
                break;
            }
        }

        if (answered)
        {
            metrics.RecordSync(DateTimeOffset.UtcNow);
        }
    }

    /// <summary>Asks one peer for a state newer than <paramref name="held"/>; a value, never an exception (but cancellation).</summary>
    private async Task<PeerPullResult> PullAsync(HttpClient http, Peer peer, long? held, CancellationToken stoppingToken)
    {
        byte[]? body;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, peer.StateUri(held));
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, stoppingToken).ConfigureAwait(false);
            switch (response.StatusCode)
            {
                case HttpStatusCode.NoContent:
                case HttpStatusCode.NotFound: // the peer holds no state yet: nothing newer either
                    Reachable(peer);
                    return PeerPullResult.NotNewer;
                case HttpStatusCode.OK:
                    await using (var stream = await response.Content.ReadAsStreamAsync(stoppingToken).ConfigureAwait(false))
                    {
                        body = await CappedBody.ReadAsync(stream, stoppingToken).ConfigureAwait(false);
                    }

                    break;
                default:
                    return Unreachable(peer, $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}");
            }
        }
        catch (HttpRequestException e) when (e.InnerException is AuthenticationException)
        {
            return Unreachable(peer, $"TLS: {FleetHttpClient.ErrorChain(e)}");
        }
        catch (HttpRequestException e)
        {
            return Unreachable(peer, FleetHttpClient.ErrorChain(e));
        }
        catch (IOException e)
        {
            return Unreachable(peer, FleetHttpClient.ErrorChain(e));
        }
        catch (TaskCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            return Unreachable(peer, $"no answer within {RequestTimeout.TotalSeconds:0} s");
        }

        Reachable(peer);
        if (body is null)
        {
            acceptor.RefuseTooLarge($"peer {peer.Name}", null);
            return PeerPullResult.Refused;
        }

        // The network is behind us: only the verification and the write run under the state lock.
        return acceptor.Accept(body, $"peer {peer.Name}") switch
        {
            FleetStateVerdict.Accepted => PeerPullResult.Accepted,
            FleetStateVerdict.Refused { Reason: FleetStateRefusal.NotNewer } => PeerPullResult.NotNewer,
            _ => PeerPullResult.Refused,
        };
    }

    /// <summary>One client per set of peer addresses: rebuilt only when the addresses change (a new state).</summary>
    private HttpClient ClientFor(IReadOnlyList<Peer> peers)
    {
        var map = PeerList.AddressMap(peers);
        var key = string.Join(';', map.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => $"{e.Key}={string.Join(',', e.Value)}"));
        if (client is null || key != clientAddresses)
        {
            client?.Dispose();
            client = FleetHttpClient.Create(identity.Root, map, RequestTimeout);
            clientAddresses = key;
        }

        return client;
    }

    private PeerPullResult Unreachable(Peer peer, string detail)
    {
        if (failing.Add(peer.Key))
        {
            LogUnreachable(logger, peer.Name, peer.Where, detail);
        }
        else
        {
            LogStillUnreachable(logger, peer.Name, detail);
        }

        return PeerPullResult.Unreachable;
    }

    private void Reachable(Peer peer)
    {
        if (failing.Remove(peer.Key))
        {
            LogReachableAgain(logger, peer.Name);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "peer sync: a round every {Seconds} s (±20 %) on port {Port}; {Configured} peers in the config")]
    private static partial void LogStarting(ILogger logger, int seconds, int port, int configured);

    [LoggerMessage(Level = LogLevel.Information, Message = "peer sync: no peers known yet (no fleet state held and no peers: in the config); waiting for a published state")]
    private static partial void LogNoPeers(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "peer {Peer} ({Where}) unreachable: {Detail}; logged again only once it has answered")]
    private static partial void LogUnreachable(ILogger logger, string peer, string where, string detail);

    [LoggerMessage(Level = LogLevel.Debug, Message = "peer {Peer} still unreachable: {Detail}")]
    private static partial void LogStillUnreachable(ILogger logger, string peer, string detail);

    [LoggerMessage(Level = LogLevel.Information, Message = "peer {Peer} answers again")]
    private static partial void LogReachableAgain(ILogger logger, string peer);
}
