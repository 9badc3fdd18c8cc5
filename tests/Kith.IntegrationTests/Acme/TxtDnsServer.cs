using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Kith.IntegrationTests.Acme;

/// <summary>
/// A minimal authoritative DNS responder on a loopback UDP port: answers TXT questions from a
/// table, NXDOMAIN for names not in it, and nothing at all when <c>silent</c> is set.
/// </summary>
internal sealed class TxtDnsServer : IAsyncDisposable
{
    private readonly UdpClient udp = new(new IPEndPoint(IPAddress.Loopback, 0));
    private readonly IReadOnlyDictionary<string, string[]> records;
    private readonly bool silent;
    private readonly CancellationTokenSource stop = new();
    private readonly Task loop;

    public TxtDnsServer(IReadOnlyDictionary<string, string[]> records, bool silent = false)
    {
        this.records = records;
        this.silent = silent;
        loop = ServeAsync();
    }

    public IPEndPoint EndPoint => (IPEndPoint)udp.Client.LocalEndPoint!;

    public int Queries { get; private set; }

    private async Task ServeAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            UdpReceiveResult received;
            try
            {
                received = await udp.ReceiveAsync(stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            Queries++;
            if (!silent && Answer(received.Buffer) is { } answer)
            {
                await udp.SendAsync(answer, received.RemoteEndPoint, stop.Token);
            }
        }
    }

    private byte[]? Answer(byte[] query)
    {
        if (query.Length < 12 || BinaryPrimitives.ReadUInt16BigEndian(query.AsSpan(4)) != 1)
        {
            return null;
        }

        var labels = new List<string>();
        var offset = 12;
        while (offset < query.Length && query[offset] != 0)
        {
            labels.Add(Encoding.ASCII.GetString(query, offset + 1, query[offset]));
            offset += query[offset] + 1;
        }

        var questionEnd = offset + 1 + 4;
        var name = string.Join('.', labels).ToLowerInvariant();
        var type = BinaryPrimitives.ReadUInt16BigEndian(query.AsSpan(offset + 1));
        var found = records.TryGetValue(name, out var values);
        var answers = found && type == 16 ? values! : [];

        var response = new List<byte>();
        response.AddRange(query.AsSpan(0, 2).ToArray());
        response.Add((byte)(0x84 | (query[2] & 0x01))); // QR, AA, RD copied
        response.Add((byte)(found ? 0 : 3)); // NOERROR or NXDOMAIN
        response.AddRange(new byte[] { 0, 1, 0, (byte)answers.Length, 0, 0, 0, 0 });
        response.AddRange(query.AsSpan(12, questionEnd - 12).ToArray());
        foreach (var value in answers)
        {
            var text = Encoding.ASCII.GetBytes(value);
            response.AddRange(new byte[] { 0xC0, 12, 0, 16, 0, 1, 0, 0, 0, 60, 0, (byte)(text.Length + 1), (byte)text.Length });
            response.AddRange(text);
        }

        return [.. response];
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        udp.Dispose();
        await loop;
        stop.Dispose();
    }
}
