using System.Net;
using System.Net.Sockets;
using Kith.Dns;
using Kith.Dns.Server;
using Kith.Dns.Update;
using Kith.IntegrationTests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kith.IntegrationTests.Dns;

/// <summary>
/// kith's DNS server and update handler in this process, for the fleet zone home.arpa (music is a CNAME to storage,
/// 127.0.0.1), behind one loopback UDP port: UPDATE messages go to the handler, everything else is relayed to the
/// server, which answers the dynamic TXT records as they change.
/// </summary>
internal sealed class UpdateDnsFront : IAsyncDisposable
{
    public const string KeyName = "acme-update";
    public const string Secret = "q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA=";

    private readonly FleetDnsServer server;
    private readonly UdpClient front;
    private readonly CancellationTokenSource stop = new();
    private readonly Task loop;

    private UpdateDnsFront(FleetDnsServer server, UdpClient front, DnsUpdateHandler handler, DynamicTxtRecords records)
    {
        this.server = server;
        Records = records;
        this.front = front;
        var upstream = server.BoundEndpoints.First(e => e.AddressFamily == AddressFamily.InterNetwork);
        loop = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var request = await front.ReceiveAsync(stop.Token);
                _ = Task.Run(() => AnswerAsync(request, handler, upstream));
            }
        });
    }

    /// <summary>The TXT records updates added.</summary>
    public DynamicTxtRecords Records { get; }

    /// <summary>"127.0.0.1:PORT".</summary>
    public string Address => $"127.0.0.1:{((IPEndPoint)front.Client.LocalEndPoint!).Port}";

    public static async Task<UpdateDnsFront> StartAsync()
    {
        IReadOnlyList<FleetZone> zones =
        [
            new("home.arpa", 5,
            [
                new("home.arpa", "SOA", 60, "storage.home.arpa hostmaster.home.arpa 5 3600 600 604800 60"),
                new("home.arpa", "NS", 60, "storage.home.arpa"),
                new("music.home.arpa", "CNAME", 60, "storage.home.arpa"),
                new("storage.home.arpa", "A", 60, "127.0.0.1"),
            ]),
        ];
        var server = new FleetDnsServer(new DnsServerOptions { Listen = [new IPEndPoint(IPAddress.Loopback, 0)] }, NullLogger.Instance);
        server.Load(zones);
        await server.StartAsync(TestContext.Current.CancellationToken);
        var records = new DynamicTxtRecords();
        var handler = new DnsUpdateHandler([new TsigKey(KeyName, TsigAlgorithms.HmacSha256, Convert.FromBase64String(Secret))], records, () => zones, NullLogger.Instance);
        var front = new UdpClient(new IPEndPoint(IPAddress.Loopback, TestProcesses.FreeLoopbackPort()));
        records.Changed += () => server.LoadDynamicTxt(records.Snapshot());
        return new UpdateDnsFront(server, front, handler, records);
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        await Task.WhenAny(loop, Task.Delay(2000));
        front.Dispose();
        await server.DisposeAsync();
        Records.Dispose();
        stop.Dispose();
    }

    private async Task AnswerAsync(UdpReceiveResult request, DnsUpdateHandler handler, IPEndPoint upstream)
    {
        byte[]? answer;
        if (request.Buffer.Length > 2 && ((request.Buffer[2] >> 3) & 0xF) == 5)
        {
            answer = handler.Handle(request.Buffer, request.RemoteEndPoint);
        }
        else
        {
            using var relay = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
            await relay.SendAsync(request.Buffer, upstream, stop.Token);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop.Token);
            timeout.CancelAfter(TimeSpan.FromSeconds(2));
            try
            {
                answer = (await relay.ReceiveAsync(timeout.Token)).Buffer;
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }

        if (answer is not null && !stop.IsCancellationRequested)
        {
            await front.SendAsync(answer, request.RemoteEndPoint, stop.Token);
        }
    }
}
