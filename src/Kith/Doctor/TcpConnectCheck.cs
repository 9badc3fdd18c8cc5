using System.Net;
using System.Net.Sockets;

namespace Kith.Doctor;

/// <summary>How a TCP connect ended.</summary>
public enum TcpOutcome
{
    Connected,

    /// <summary>RST: the machine is there, but nothing listens on the port.</summary>
    Refused,

    /// <summary>No answer within the timeout: a firewall drops the packets, or nothing is at the address.</summary>
    TimedOut,

    /// <summary>Any other error (no route, network down).</summary>
    Failed,
}

/// <summary>A TCP connect to the endpoint's address and port.</summary>
public sealed record TcpConnect(TcpOutcome Outcome, IPEndPoint Endpoint, string Detail);

public static class TcpConnectCheck
{
    public static async Task<TcpConnect> ConnectAsync(IPEndPoint endpoint, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        using var client = new TcpClient(endpoint.AddressFamily);
        try
        {
            await client.ConnectAsync(endpoint, deadline.Token).ConfigureAwait(false);
            return new TcpConnect(TcpOutcome.Connected, endpoint, $"connected to {endpoint}");
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
        {
            return new TcpConnect(TcpOutcome.Refused, endpoint, $"{endpoint}: connection refused");
        }
        catch (SocketException e)
        {
            return new TcpConnect(TcpOutcome.Failed, endpoint, $"{endpoint}: {e.Message}");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new TcpConnect(TcpOutcome.TimedOut, endpoint, $"{endpoint}: no answer within {timeout.TotalSeconds:0.#} s");
        }
    }
}
