using System.Net;
using System.Net.Sockets;
using System.Text;
using Kith.IntegrationTests.Support;

namespace Kith.IntegrationTests.Proxy;

/// <summary>
/// A tiny HTTP/1.1 upstream on a free loopback port: answers every request with its path and the headers a proxy
/// sets (Host, X-Forwarded-For, X-Forwarded-Proto, X-Real-IP, Early-Data), one per line, then closes.
/// </summary>
internal sealed class LoopbackEcho : IDisposable
{
    private static readonly string[] Echoed = ["host", "x-forwarded-for", "x-forwarded-proto", "x-real-ip", "early-data"];
    private readonly TcpListener listener;
    private readonly CancellationTokenSource stop = new();

    public LoopbackEcho(string name = "echo")
    {
        Name = name;
        Port = TestProcesses.FreeLoopbackPort();
        listener = new TcpListener(IPAddress.Loopback, Port);
        listener.Start();
        _ = Task.Run(AcceptAsync);
    }

    public string Name { get; }

    public int Port { get; }

    public string Address => $"127.0.0.1:{Port}";

    public void Dispose()
    {
        stop.Cancel();
        listener.Stop();
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
                using var reader = new StreamReader(stream, Encoding.ASCII, leaveOpen: true);
                var requestLine = await reader.ReadLineAsync() ?? string.Empty;
                var body = new StringBuilder();
                body.Append("upstream: ").Append(Name).Append('\n');
                body.Append("path: ").Append(requestLine.Split(' ').ElementAtOrDefault(1)).Append('\n');
                while (await reader.ReadLineAsync() is { Length: > 0 } line)
                {
                    var colon = line.IndexOf(':', StringComparison.Ordinal);
                    if (colon > 0 && Echoed.Contains(line[..colon].Trim().ToLowerInvariant()))
                    {
                        body.Append(line[..colon].Trim().ToLowerInvariant()).Append(": ").Append(line[(colon + 1)..].Trim()).Append('\n');
                    }
                }

                var bytes = Encoding.ASCII.GetBytes(body.ToString());
                var head = Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {bytes.Length}\r\nConnection: close\r\n\r\n");
                await stream.WriteAsync(head);
                await stream.WriteAsync(bytes);
            }
            catch (IOException)
            {
            }
        }
    }
}
