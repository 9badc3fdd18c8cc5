using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Kith.IntegrationTests.Support;

/// <summary><c>openssl s_server</c> on a free loopback port, killed on dispose.</summary>
internal sealed class OpensslServer : IDisposable
{
    private readonly Process process;

    private OpensslServer(Process process, int port)
    {
        this.process = process;
        Port = port;
    }

    public int Port { get; }

    public static async Task<OpensslServer> StartAsync(string certificate, string key, string chain)
    {
        var port = TestProcesses.FreeLoopbackPort();
        var start = new ProcessStartInfo("openssl")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (var argument in new[] { "s_server", "-accept", $"127.0.0.1:{port}", "-cert", certificate, "-key", key, "-cert_chain", chain, "-www" })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new OpensslServer(process, port);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            if (process.HasExited)
            {
                server.Dispose();
                throw new InvalidOperationException($"openssl s_server exited with {process.ExitCode}");
            }

            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return server;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }
            catch (SocketException)
            {
                server.Dispose();
                throw;
            }
        }
    }

    public void Dispose() => TestProcesses.KillAndDispose(process);
}
