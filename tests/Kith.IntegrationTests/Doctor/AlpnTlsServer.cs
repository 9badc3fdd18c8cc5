using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Kith.IntegrationTests.Support;

namespace Kith.IntegrationTests.Doctor;

/// <summary><c>openssl s_server</c> serving one certificate folder on a free loopback port with ALPN h2 and http/1.1, killed on dispose.</summary>
internal sealed class AlpnTlsServer : IDisposable
{
    private readonly Process process;

    private AlpnTlsServer(Process process, int port)
    {
        this.process = process;
        Port = port;
    }

    public int Port { get; }

    public static async Task<AlpnTlsServer> StartAsync(string folder)
    {
        var port = TestProcesses.FreeLoopbackPort();
        var start = new ProcessStartInfo("openssl") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var argument in new[]
        {
            "s_server", "-accept", $"127.0.0.1:{port}", "-cert", Path.Combine(folder, "cert.pem"), "-key", Path.Combine(folder, "key.pem"),
            "-cert_chain", Path.Combine(folder, "chain.pem"), "-alpn", "h2,http/1.1", "-www",
        })
        {
            start.ArgumentList.Add(argument);
        }

        var server = new AlpnTlsServer(Process.Start(start)!, port);
        server.process.OutputDataReceived += (_, _) => { };
        server.process.ErrorDataReceived += (_, _) => { };
        server.process.BeginOutputReadLine();
        server.process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            if (server.process.HasExited)
            {
                var code = server.process.ExitCode;
                server.Dispose();
                throw new InvalidOperationException($"openssl s_server exited with {code}");
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
        }
    }

    public void Dispose() => TestProcesses.KillAndDispose(process);
}
