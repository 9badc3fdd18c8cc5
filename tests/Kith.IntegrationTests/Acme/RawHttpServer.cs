using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Kith.IntegrationTests.Acme;

/// <summary>
/// A tiny HTTP/1.1 server on a loopback socket whose answer is raw bytes written by the test, so
/// tests can send oversized, stalled or redirecting responses a real web server would not.
/// Records the request head of every connection.
/// </summary>
internal sealed class RawHttpServer : LoopbackTcpServer
{
    private readonly Func<string, NetworkStream, CancellationToken, Task> respond;
    private readonly List<string> requests = [];

    public RawHttpServer(IPAddress address, int port, Func<string, NetworkStream, CancellationToken, Task> respond)
        : base(address, port)
    {
        this.respond = respond;
        Start();
    }

    public IReadOnlyList<string> Requests
    {
        get
        {
            lock (requests)
            {
                return [.. requests];
            }
        }
    }

    public static Func<string, NetworkStream, CancellationToken, Task> Answer(int status, string body, params string[] headers) =>
        async (_, stream, token) =>
        {
            var bytes = Encoding.UTF8.GetBytes(body);
            var head = new StringBuilder($"HTTP/1.1 {status} Whatever\r\nContent-Length: {bytes.Length}\r\nConnection: close\r\n");
            foreach (var header in headers)
            {
                head.Append(header).Append("\r\n");
            }

            await stream.WriteAsync(Encoding.ASCII.GetBytes(head.Append("\r\n").ToString()), token);
            await stream.WriteAsync(bytes, token);
        };

    protected override async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                var head = await ReadHeadAsync(stream, Stopping);
                lock (requests)
                {
                    requests.Add(head);
                }

                await respond(head, stream, Stopping);
            }
            catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
            {
            }
        }
    }

    private static async Task<string> ReadHeadAsync(NetworkStream stream, CancellationToken token)
    {
        var head = new List<byte>();
        var one = new byte[1];
        while (head.Count < 16384 && await stream.ReadAsync(one, token) == 1)
        {
            head.Add(one[0]);
            if (head.Count >= 4 && head[^4] == '\r' && head[^3] == '\n' && head[^2] == '\r' && head[^1] == '\n')
            {
                break;
            }
        }

        return Encoding.ASCII.GetString([.. head]);
    }
}
