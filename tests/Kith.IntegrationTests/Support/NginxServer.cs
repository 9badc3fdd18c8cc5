using System.Diagnostics;
using System.Text;

namespace Kith.IntegrationTests.Support;

/// <summary>
/// Debian's nginx in the foreground on a free loopback port, with its own prefix folder (config, logs, pid),
/// one process (no workers to change user), killed on dispose.
/// </summary>
internal sealed class NginxServer : IDisposable
{
    private readonly Process process;
    private readonly StringBuilder output = new();

    private NginxServer(Process process, int port, string errorLog)
    {
        this.process = process;
        Port = port;
        ErrorLogPath = errorLog;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public int Port { get; }

    public string ErrorLogPath { get; }

    /// <summary>The error log and the console output so far, for assertion messages.</summary>
    public string Log
    {
        get
        {
            string console;
            lock (output)
            {
                console = output.ToString();
            }

            return (File.Exists(ErrorLogPath) ? File.ReadAllText(ErrorLogPath) : string.Empty) + console;
        }
    }

    /// <summary>Starts nginx with <paramref name="server"/> as the body of one http server block (its listen line is added).</summary>
    public static async Task<NginxServer> StartAsync(string prefix, string server)
    {
        Directory.CreateDirectory(prefix);
        var port = TestProcesses.FreeLoopbackPort();
        var errorLog = Path.Combine(prefix, "error.log");
        File.WriteAllText(Path.Combine(prefix, "nginx.conf"), $$"""
            master_process off;
            pid {{Path.Combine(prefix, "nginx.pid")}};
            error_log {{errorLog}} info;
            events { worker_connections 64; }
            http {
                access_log off;
                client_body_temp_path {{prefix}}/body;
                proxy_temp_path {{prefix}}/proxy;
                fastcgi_temp_path {{prefix}}/fastcgi;
                uwsgi_temp_path {{prefix}}/uwsgi;
                scgi_temp_path {{prefix}}/scgi;
                server {
                    listen 127.0.0.1:{{port}} ssl;
            {{server}}
                }
            }
            """);
        var start = new ProcessStartInfo("nginx") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "-p", prefix, "-c", Path.Combine(prefix, "nginx.conf"), "-e", errorLog, "-g", "daemon off;" })
        {
            start.ArgumentList.Add(argument);
        }

        var nginx = new NginxServer(Process.Start(start)!, port, errorLog);
        await TestProcesses.WaitForLoopbackPortAsync(nginx.process, port, TimeSpan.FromSeconds(20), () => nginx.Log, nginx);
        return nginx;
    }

    public void Dispose() => TestProcesses.KillAndDispose(process);

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (output)
            {
                output.AppendLine(line);
            }
        }
    }
}
