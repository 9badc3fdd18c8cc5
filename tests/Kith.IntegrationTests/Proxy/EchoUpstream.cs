using System.Net;
using System.Net.Sockets;
using System.Text;
using Kith.IntegrationTests.Support;

namespace Kith.IntegrationTests.Proxy;

/// <summary>
/// A loopback HTTP/1.1 server standing in for a proxied service: it answers every request with its own name, the
/// request line and the request's headers, one per line, so a test sees what nginx passed upstream.
/// </summary>
internal sealed class EchoUpstream : IAsyncDisposable, IDisposable
{
    private readonly TcpListener listener;
    private readonly CancellationTokenSource stop = new();
    private readonly Task loop;

    public EchoUpstream(string name)
    {
        Name = name;
        listener = new TcpListener(IPAddress.Loopback, TestProcesses.FreeLoopbackPort());
        listener.Start();
        Port = ((IPEndPoint)listener.LocalEndpoint).Port;
        loop = Task.Run(AcceptAsync);
    }

    public string Name { get; }

    public int Port { get; }

    /// <summary>host:port as a <see cref="Kith.Proxy.ProxyUpstream"/> server.</summary>
    public string Server => $"127.0.0.1:{Port}";

    /// <summary>For owners that are disposed synchronously (xunit class fixtures, test classes).</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        listener.Stop();
        try
        {
            await loop;
        }
        catch (OperationCanceledException)
        {
        }

        stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = Task.Run(() => AnswerAsync(client));
        }
    }

    private async Task AnswerAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                var head = await ReadHeadAsync(stream);
                var body = Encoding.UTF8.GetBytes($"upstream: {Name}\n{head.Replace("\r\n", "\n", StringComparison.Ordinal)}");
                var response = Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n");
                await stream.WriteAsync(response);
                await stream.WriteAsync(body);
            }
            catch (IOException)
            {
            }
        }
    }

    /// <summary>The request line and headers, up to the empty line (requests from nginx here have no body that matters).</summary>
    private static async Task<string> ReadHeadAsync(NetworkStream stream)
    {
        var head = new StringBuilder();
        var buffer = new byte[4096];
        while (!head.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
        {
            var read = await stream.ReadAsync(buffer);
            if (read == 0)
            {
                break;
            }

            head.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }

        var text = head.ToString();
        var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        return end < 0 ? text : text[..(end + 2)];
    }
}
