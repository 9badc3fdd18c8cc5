using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Kith.IntegrationTests.Support;

/// <summary>
/// <c>kith agent run</c> as a real separate process (the Kith.Cli.dll next to the tests) on a free loopback
/// port; started when /healthz answers, killed on dispose. Its console output is kept for assertion messages.
/// </summary>
internal sealed class AgentProcess : IDisposable
{
    private readonly Process process;
    private readonly StringBuilder log = new();

    private AgentProcess(Process process, string address, int port)
    {
        this.process = process;
        Address = address;
        Port = port;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>The IPv4 address the agent listens on (127.0.0.1 unless given).</summary>
    public string Address { get; }

    public int Port { get; }

    public int Pid => process.Id;

    public Uri BaseAddress => new($"https://{Address}:{Port}");

    public string Log
    {
        get
        {
            lock (log)
            {
                return log.ToString();
            }
        }
    }

    /// <summary>Writes a config file naming the folder and the port, starts the agent, waits for /healthz.</summary>
    /// <param name="extraConfig">More config lines (YAML at the top level), e.g. files_root.</param>
    /// <param name="listen">The IPv4 address and port to listen on; null means 127.0.0.1 and a free port.</param>
    /// <param name="launcher">
    /// A command the agent runs under (e.g. ip netns exec NS). The test process may not reach such an agent,
    /// so it is ready when it logs that it listens, not when /healthz answers.
    /// </param>
    public static async Task<AgentProcess> StartAsync(
        string configPath, string machine, string agentFolder, string rootPem, string? extraConfig = null, (string Address, int Port)? listen = null, IReadOnlyList<string>? launcher = null)
    {
        var (address, port) = listen ?? ("127.0.0.1", TestProcesses.FreeLoopbackPort());
        // Many agents share this machine's loopback: the default revocation port (8580) would clash, so it is off
        // unless the test asks for it.
        if (extraConfig?.Contains("revocation_listen", StringComparison.Ordinal) != true)
        {
            extraConfig = (extraConfig is null ? string.Empty : extraConfig + "\n") + "revocation_listen: []";
        }

        File.WriteAllText(configPath, $"""
            # written by the test
            machine: {machine}
            dir: {agentFolder}
            listen:
              - {address}:{port}
            {extraConfig}
            """);
        var agent = new AgentProcess(Process.Start(CliProcess.StartInfo(launcher, "agent", "run", "--config", configPath))!, address, port);
        if (launcher is { Count: > 0 })
        {
            await agent.WaitForLogAsync(" listening on ", TimeSpan.FromSeconds(60));
            return agent;
        }

        // Readiness only: the Root's chain is required, the name is not (a test may listen on an address the
        // Host CA may not certify). Every assertion uses Client, which checks both.
        using var client = Client(rootPem, requireName: false);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            if (agent.process.HasExited)
            {
                var message = $"the agent exited with {agent.process.ExitCode}\n{agent.Log}";
                agent.Dispose();
                throw new InvalidOperationException(message);
            }

            try
            {
                using var response = await client.GetAsync(new Uri(agent.BaseAddress, "/healthz"));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return agent;
                }
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
            }
            catch (HttpRequestException)
            {
                var message = $"the agent did not answer /healthz within 60 s\n{agent.Log}";
                agent.Dispose();
                throw new TimeoutException(message);
            }

            await Task.Delay(100);
        }
    }

    /// <summary>Waits until a line containing <paramref name="text"/> was logged; fails with the log when the agent exits or time runs out.</summary>
    public async Task WaitForLogAsync(string text, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (!Log.Contains(text, StringComparison.Ordinal))
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"the agent exited with {process.ExitCode} before logging '{text}'\n{Log}");
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"the agent did not log '{text}' within {within.TotalSeconds:0} s\n{Log}");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>An HTTPS client that trusts only this Root (the system store plays no part).</summary>
    public static HttpClient Client(string rootPem, bool requireName = true)
    {
        var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
        policy.CustomTrustStore.Add(X509CertificateLoader.LoadCertificateFromFile(rootPem));
        var ssl = new SslClientAuthenticationOptions { CertificateChainPolicy = policy };
        if (!requireName)
        {
            ssl.RemoteCertificateValidationCallback = (_, _, _, errors) => (errors & ~SslPolicyErrors.RemoteCertificateNameMismatch) == SslPolicyErrors.None;
        }

        return new HttpClient(new SocketsHttpHandler { SslOptions = ssl })
        {
            Timeout = TimeSpan.FromSeconds(30),
        };
    }

    /// <summary>Sends SIGTERM and waits for the process to end; returns its exit code.</summary>
    public int Terminate()
    {
        using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            kill.WaitForExit();
        }

        if (!process.WaitForExit(30_000))
        {
            throw new TimeoutException($"the agent did not stop within 30 s of SIGTERM\n{Log}");
        }

        process.WaitForExit();
        return process.ExitCode;
    }

    /// <summary>SIGKILL to the agent process only (a reload it runs is left to finish), then waits for it to be gone.</summary>
    public void KillNow()
    {
        process.Kill(entireProcessTree: false);
        process.WaitForExit();
    }

    public void Dispose() => TestProcesses.KillAndDispose(process);

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (log)
        {
            log.AppendLine(line);
        }
    }
}
