using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Kith.Dns.Server;

/// <summary>
/// The authoritative DNS server of the fleet's zones (docs/dns.md, "Serving"): UDP on dedicated threads
/// blocked in receive (an idle server uses no CPU), TCP with 2-byte length framing, every answer copied from
/// a pre-encoded <see cref="AnswerTable"/> that <see cref="Load"/> swaps atomically.
/// </summary>
public sealed partial class FleetDnsServer : IAsyncDisposable
{
    private readonly DnsServerOptions options;
    private readonly ILogger logger;
    private readonly Lock loadGate = new();
    private readonly List<Socket> udpSockets = [];
    private readonly List<Socket> tcpSockets = [];
    private readonly List<Thread> threads = [];
    private readonly List<Task> tcpTasks = [];
    private readonly CancellationTokenSource stopping = new();
    private volatile AnswerTable table = AnswerTable.Empty;
    private IReadOnlyList<FleetZone> zones = [];
    private IReadOnlyList<ZoneRecord> dynamicTxt = [];
    private int tcpConnections;
    private bool started;

    public FleetDnsServer(DnsServerOptions options, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        this.options = options;
        this.logger = logger;
        if (options.DynamicTxt is { } dynamic)
        {
            dynamicTxt = dynamic.Snapshot();
            dynamic.Changed += OnDynamicTxtChanged;
        }
    }

    /// <summary>The addresses bound, with the real ports when 0 was asked (empty before <see cref="StartAsync"/>).</summary>
    public IReadOnlyList<IPEndPoint> BoundEndpoints { get; private set; } = [];

    /// <summary>Queries answered, by rcode.</summary>
    public DnsQueryCounters Counters { get; } = new();

    /// <summary>The SOA serial served (the highest of the zones), 0 before the first load.</summary>
    public long Serial => table.Serial;

    /// <summary>How many zones are served.</summary>
    public int ZoneCount => table.Zones;

    /// <summary>Replaces the served zones; queries in flight finish on the old table, the next ones see the new one.</summary>
    public void Load(IReadOnlyList<FleetZone> zones)
    {
        ArgumentNullException.ThrowIfNull(zones);
        lock (loadGate)
        {
            this.zones = zones;
            Rebuild("zones");
        }
    }

    /// <summary>Replaces the TXT records added by dynamic updates (served over the zones' own records).</summary>
    public void LoadDynamicTxt(IReadOnlyList<ZoneRecord> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        lock (loadGate)
        {
            dynamicTxt = records;
            Rebuild("dynamic TXT");
        }
    }

    /// <summary>Binds UDP and TCP on every <see cref="DnsServerOptions.Listen"/> address and starts answering.</summary>
    /// <exception cref="KithException">An address cannot be bound (the port is taken, or the address is not this machine's).</exception>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(stopping.IsCancellationRequested, this);
        if (started)
        {
            throw new InvalidOperationException("the DNS server is already started");
        }

        started = true;
        var bound = new List<IPEndPoint>();
        try
        {
            foreach (var endpoint in options.Listen)
            {
                cancellationToken.ThrowIfCancellationRequested();
                bound.Add(Bind(endpoint));
            }
        }
        catch
        {
            CloseSockets();
            throw;
        }

        BoundEndpoints = bound;
        foreach (var socket in udpSockets)
        {
            for (var i = 0; i < Math.Max(1, options.UdpThreadsPerSocket); i++)
            {
                var thread = new Thread(() => UdpLoop(socket)) { IsBackground = true, Name = "kith-dns-udp" };
                threads.Add(thread);
                thread.Start();
            }
        }

        foreach (var socket in tcpSockets)
        {
            tcpTasks.Add(Task.Run(() => AcceptLoopAsync(socket)));
        }

        return Task.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        if (stopping.IsCancellationRequested)
        {
            return;
        }

        await stopping.CancelAsync().ConfigureAwait(false);
        if (options.DynamicTxt is { } dynamic)
        {
            dynamic.Changed -= OnDynamicTxtChanged;
        }

        CloseSockets();
        foreach (var thread in threads)
        {
            thread.Join(TimeSpan.FromSeconds(5));
        }

        try
        {
            await Task.WhenAll(tcpTasks).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // a connection stuck in a send: its socket is closed, the task ends on its own
        }

        stopping.Dispose();
    }

    private void OnDynamicTxtChanged() => LoadDynamicTxt(options.DynamicTxt!.Snapshot());

    private void Rebuild(string cause)
    {
        var watch = Stopwatch.StartNew();
        var built = AnswerTableBuilder.Build(zones, dynamicTxt);
        table = built;
        LogLoaded(logger, cause, built.Serial, built.Zones, built.Records, built.Names, watch.Elapsed.TotalMilliseconds);
    }

    private IPEndPoint Bind(IPEndPoint endpoint)
    {
        // Port 0: take the UDP socket's free port for TCP too (a few tries, in case TCP has it taken).
        for (var attempt = 0; ; attempt++)
        {
            var udp = new Socket(endpoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            try
            {
                if (endpoint.AddressFamily == AddressFamily.InterNetworkV6)
                {
                    udp.DualMode = false;
                }

                udp.Bind(endpoint);
                // Room for bursts (the kernel caps this at net.core.rmem_max): a full buffer drops queries.
                udp.ReceiveBufferSize = 4 << 20;
            }
            catch (SocketException e)
            {
                udp.Dispose();
                throw BindError(endpoint, "UDP", e);
            }

            var real = (IPEndPoint)udp.LocalEndPoint!;
            var tcp = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                if (endpoint.AddressFamily == AddressFamily.InterNetworkV6)
                {
                    tcp.DualMode = false;
                }

                tcp.Bind(real);
                tcp.Listen(128);
            }
            catch (SocketException e)
            {
                udp.Dispose();
                tcp.Dispose();
                if (endpoint.Port == 0 && attempt < 5)
                {
                    continue;
                }

                throw BindError(real, "TCP", e);
            }

            udpSockets.Add(udp);
            tcpSockets.Add(tcp);
            return real;
        }
    }

    private static KithException BindError(IPEndPoint endpoint, string protocol, SocketException e) => e.SocketErrorCode switch
    {
        SocketError.AddressAlreadyInUse => new KithException($"dns_listen {endpoint}: {protocol} port {endpoint.Port} is taken by another program (another DNS server, or systemd-resolved's stub on port 53?); stop it or give dns_listen another address"),
        SocketError.AddressNotAvailable => new KithException($"dns_listen {endpoint}: {endpoint.Address} is not an address of this machine; fix dns_listen"),
        SocketError.AccessDenied => new KithException($"dns_listen {endpoint}: not allowed to bind {protocol} port {endpoint.Port} (ports under 1024 need root or CAP_NET_BIND_SERVICE)"),
        _ => new KithException($"dns_listen {endpoint}: cannot bind {protocol}: {e.Message}"),
    };

    private void CloseSockets()
    {
        foreach (var socket in udpSockets.Concat(tcpSockets))
        {
            socket.Dispose();
        }
    }

    private void UdpLoop(Socket socket)
    {
        var query = new byte[DnsResponder.MaxResponse];
        var response = new byte[DnsResponder.MaxResponse];
        var peer = new SocketAddress(socket.AddressFamily);
        while (!stopping.IsCancellationRequested)
        {
            int received;
            try
            {
                received = socket.ReceiveFrom(query, SocketFlags.None, peer);
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException)
            {
                continue; // e.g. an ICMP error reported on the socket: nothing to answer
            }

            try
            {
                var length = Answer(query.AsSpan(0, received), response, tcp: false, peer);
                if (length > 0)
                {
                    socket.SendTo(response.AsSpan(0, length), SocketFlags.None, peer);
                }
            }
            catch (SocketException)
            {
                // the client's address cannot be sent to: nothing to do
            }
            catch (ObjectDisposedException)
            {
                return;
            }
#pragma warning disable CA1031 // one bad message must never end the loop that answers all the others
            catch (Exception e)
#pragma warning restore CA1031
            {
                LogFailed(logger, e);
            }
        }
    }

    /// <summary>The response's length, or 0 to send nothing.</summary>
    private int Answer(ReadOnlySpan<byte> query, Span<byte> response, bool tcp, SocketAddress peer)
    {
        var kind = DnsResponder.Classify(query);
        if (kind == DnsResponder.Kind.Drop)
        {
            Counters.CountDropped();
            return 0;
        }

        if (kind == DnsResponder.Kind.Update && options.Updates is { } updates)
        {
            var client = (IPEndPoint)new IPEndPoint(peer.Family == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0).Create(peer);
            var answer = updates.Handle(query, client);
            if (answer is null || answer.Length > response.Length)
            {
                Counters.CountDropped();
                return 0;
            }

            answer.CopyTo(response);
            Counters.Count(answer[3] & 0x0F);
            return answer.Length;
        }

        var length = DnsResponder.Respond(table, query, response, tcp, out var rcode);
        Counters.Count(rcode);
        return length;
    }

    private async Task AcceptLoopAsync(Socket listener)
    {
        while (!stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(stopping.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                if (stopping.IsCancellationRequested)
                {
                    return;
                }

                continue;
            }

            if (Interlocked.Increment(ref tcpConnections) > options.MaxTcpConnections)
            {
                Interlocked.Decrement(ref tcpConnections);
                client.Dispose();
                continue;
            }

            _ = ServeTcpAsync(client);
        }
    }

    private async Task ServeTcpAsync(Socket client)
    {
        var query = System.Buffers.ArrayPool<byte>.Shared.Rent(DnsResponder.MaxResponse);
        var response = System.Buffers.ArrayPool<byte>.Shared.Rent(2 + DnsResponder.MaxResponse);
        try
        {
            using (client)
            {
                client.NoDelay = true;
                var peer = client.RemoteEndPoint is { } remote ? remote.Serialize() : new SocketAddress(client.AddressFamily);
                while (!stopping.IsCancellationRequested)
                {
                    using var idle = CancellationTokenSource.CreateLinkedTokenSource(stopping.Token);
                    idle.CancelAfter(options.TcpIdleTimeout);
                    if (!await ReadExactlyAsync(client, query.AsMemory(0, 2), idle.Token).ConfigureAwait(false))
                    {
                        return;
                    }

                    var length = (query[0] << 8) | query[1];
                    if (!await ReadExactlyAsync(client, query.AsMemory(0, length), idle.Token).ConfigureAwait(false))
                    {
                        return;
                    }

                    var answer = Answer(query.AsSpan(0, length), response.AsSpan(2), tcp: true, peer);
                    if (answer == 0)
                    {
                        return; // garbage over TCP: the stream cannot be trusted to be in step any more
                    }

                    response[0] = (byte)(answer >> 8);
                    response[1] = (byte)answer;
                    await client.SendAsync(response.AsMemory(0, 2 + answer), SocketFlags.None, idle.Token).ConfigureAwait(false);
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // idle, closed by the client, or the server is stopping
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(query);
            System.Buffers.ArrayPool<byte>.Shared.Return(response);
            Interlocked.Decrement(ref tcpConnections);
        }
    }

    /// <summary>False when the client closed the connection before <paramref name="buffer"/> was filled.</summary>
    private static async Task<bool> ReadExactlyAsync(Socket socket, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await socket.ReceiveAsync(buffer[read..], SocketFlags.None, cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                return false;
            }

            read += n;
        }

        return true;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "dns: {Cause} loaded: serial {Serial}, {Zones} zones, {Records} records, {Names} names, built in {Milliseconds:0.0} ms")]
    private static partial void LogLoaded(ILogger logger, string cause, long serial, int zones, int records, int names, double milliseconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "dns: answering a query failed")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
