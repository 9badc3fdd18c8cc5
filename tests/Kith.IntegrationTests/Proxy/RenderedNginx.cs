using System.Diagnostics;
using System.Text;
using Kith.IntegrationTests.Support;
using Kith.Proxy;

namespace Kith.IntegrationTests.Proxy;

/// <summary>
/// Debian's nginx running kith's rendered config as conf.d/kith.conf, in a prefix folder of its own: the main
/// nginx.conf copies Debian's http-level TLS defaults (TLS 1.0 and 1.1 on, server cipher order) so a test shows
/// kith's servers override them. One process in the foreground, killed on dispose.
/// </summary>
internal sealed class RenderedNginx : IDisposable
{
    private readonly Process process;
    private readonly StringBuilder console = new();

    private RenderedNginx(Process process, string prefix, ProxyConfig config, string rendered)
    {
        this.process = process;
        Prefix = prefix;
        Config = config;
        Rendered = rendered;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Prefix { get; }

    public ProxyConfig Config { get; }

    /// <summary>The text NginxConfig.Render gave.</summary>
    public string Rendered { get; }

    public int HttpsPort => Config.Settings.HttpsPort;

    public int HttpPort => Config.Settings.HttpPort;

    /// <summary>The error log, the console output and the rendered config, for assertion messages.</summary>
    public string Log
    {
        get
        {
            var errorLog = Path.Combine(Prefix, "error.log");
            lock (console)
            {
                return $"{(File.Exists(errorLog) ? File.ReadAllText(errorLog) : string.Empty)}{console}\n--- kith.conf\n{Rendered}";
            }
        }
    }

    /// <summary>Renders <paramref name="config"/> into <paramref name="prefix"/> and runs <c>nginx -t</c> on it.</summary>
    public static (int ExitCode, string Output) Test(string prefix, ProxyConfig config, NginxFeatures? features = null)
    {
        var nginxConf = WriteConfig(prefix, NginxConfig.Render(config, features ?? NginxFeaturesReader.Detect()));
        var start = Start(prefix, nginxConf, "-t");
        using var nginx = Process.Start(start)!;
        var stdout = nginx.StandardOutput.ReadToEndAsync();
        var stderr = nginx.StandardError.ReadToEndAsync();
        nginx.WaitForExit();
        return (nginx.ExitCode, stdout.Result + stderr.Result);
    }

    /// <summary>Renders <paramref name="config"/> for the installed nginx, starts it, and waits for its HTTPS port.</summary>
    public static async Task<RenderedNginx> StartAsync(string prefix, ProxyConfig config)
    {
        var rendered = NginxConfig.Render(config, NginxFeaturesReader.Detect());
        var nginxConf = WriteConfig(prefix, rendered);
        var nginx = new RenderedNginx(Process.Start(Start(prefix, nginxConf, "-g", "daemon off;"))!, prefix, config, rendered);
        await TestProcesses.WaitForLoopbackPortAsync(nginx.process, config.Settings.HttpsPort, TimeSpan.FromSeconds(20), () => nginx.Log, nginx);
        return nginx;
    }

    public void Dispose() => TestProcesses.KillAndDispose(process);

    private static string WriteConfig(string prefix, string rendered)
    {
        Directory.CreateDirectory(Path.Combine(prefix, "conf.d"));
        File.WriteAllText(Path.Combine(prefix, "conf.d", "kith.conf"), rendered);
        var nginxConf = Path.Combine(prefix, "nginx.conf");
        File.WriteAllText(nginxConf, $$"""
            master_process off;
            pid {{prefix}}/nginx.pid;
            error_log {{prefix}}/error.log info;
            events { worker_connections 128; }
            http {
                # Debian 12's /etc/nginx/nginx.conf has these two at the http level.
                ssl_protocols TLSv1 TLSv1.1 TLSv1.2 TLSv1.3;
                ssl_prefer_server_ciphers on;
                access_log off;
                client_body_temp_path {{prefix}}/body;
                proxy_temp_path {{prefix}}/proxy;
                fastcgi_temp_path {{prefix}}/fastcgi;
                uwsgi_temp_path {{prefix}}/uwsgi;
                scgi_temp_path {{prefix}}/scgi;
                include {{prefix}}/conf.d/*.conf;
            }
            """);
        return nginxConf;
    }

    private static ProcessStartInfo Start(string prefix, string nginxConf, params string[] extra)
    {
        var start = new ProcessStartInfo("nginx") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "-p", prefix, "-c", nginxConf, "-e", Path.Combine(prefix, "error.log") }.Concat(extra))
        {
            start.ArgumentList.Add(argument);
        }

        return start;
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (console)
            {
                console.AppendLine(line);
            }
        }
    }
}
