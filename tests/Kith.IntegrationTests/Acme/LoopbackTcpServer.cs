using System.Net;
using System.Net.Sockets;

namespace Kith.IntegrationTests.Acme;

/// <summary>
/// A TCP listener whose connections the test serves by hand (<see cref="ServeAsync"/>), counted as they are
/// accepted. A subclass calls <see cref="Start"/> once its own fields are set; disposal stops the loop.
/// </summary>
internal abstract class LoopbackTcpServer : IAsyncDisposable
{
    private readonly TcpListener listener;
    private readonly CancellationTokenSource stop = new();
    private Task acceptLoop = Task.CompletedTask;
    private int connections;

    protected LoopbackTcpServer(IPAddress address, int port)
    {
        listener = new TcpListener(address, port);
    }

    public int Port => ((IPEndPoint)listener.LocalEndpoint).Port;

    /// <summary>Connections accepted so far.</summary>
    public int Connections => Volatile.Read(ref connections);

    /// <summary>Cancelled when the server is disposed.</summary>
    protected CancellationToken Stopping => stop.Token;

    public virtual async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        listener.Stop();
        await acceptLoop;
        stop.Dispose();
    }

    protected void Start()
    {
        listener.Start();
        acceptLoop = AcceptAsync();
    }

    /// <summary>Serves one connection; exceptions of a closed or cancelled connection are the subclass's to swallow.</summary>
    protected abstract Task ServeAsync(TcpClient client);

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

            Interlocked.Increment(ref connections);
            _ = ServeAsync(client);
        }
    }
}
