using System.Diagnostics;

namespace Kith.IntegrationTests.Proxy;

/// <summary>
/// Debian's nginx as a service runs it: a master process with workers, daemonised, reloaded with <c>nginx -s reload</c>.
/// Its own prefix folder holds nginx.conf (which includes conf.d/*.conf), the pid file and the logs; stopped on dispose.
/// </summary>
internal sealed class NginxMaster : IDisposable
{
    private NginxMaster(string prefix)
    {
        Prefix = prefix;
    }

    public string Prefix { get; }

    public string MainConfig => Path.Combine(Prefix, "nginx.conf");

    /// <summary>Where an agent writes its include (the prefix's conf.d/kith.conf).</summary>
    public string KithConfig => Path.Combine(Prefix, "conf.d", "kith.conf");

    public string Log => File.Exists(Path.Combine(Prefix, "error.log")) ? File.ReadAllText(Path.Combine(Prefix, "error.log")) : string.Empty;

    /// <summary>The argv that checks this nginx's whole config, and the one that reloads it.</summary>
    public string[] Validate => ["nginx", "-t", "-q", "-p", Prefix, "-c", MainConfig];

    public string[] Reload => ["nginx", "-s", "reload", "-p", Prefix, "-c", MainConfig];

    public static NginxMaster Start(string prefix)
    {
        Directory.CreateDirectory(Path.Combine(prefix, "conf.d"));
        var nginx = new NginxMaster(prefix);
        File.WriteAllText(nginx.MainConfig, $$"""
            pid {{prefix}}/nginx.pid;
            error_log {{prefix}}/error.log warn;
            worker_processes 1;
            events { worker_connections 64; }
            http {
                access_log off;
                client_body_temp_path {{prefix}}/body;
                proxy_temp_path {{prefix}}/proxy;
                fastcgi_temp_path {{prefix}}/fastcgi;
                uwsgi_temp_path {{prefix}}/uwsgi;
                scgi_temp_path {{prefix}}/scgi;
                include {{prefix}}/conf.d/*.conf;
            }

            """);
        var (code, output) = Run(["nginx", "-p", prefix, "-c", nginx.MainConfig, "-e", Path.Combine(prefix, "error.log")]);
        Assert.True(code == 0, $"nginx did not start: {output}");
        return nginx;
    }

    /// <summary>Appends a line nginx refuses to the main config: from now on <c>nginx -t</c> (and a reload) fail.</summary>
    public void BreakMainConfig() => File.AppendAllText(MainConfig, "garbage_directive on;\n");

    public void Dispose()
    {
        var pidFile = Path.Combine(Prefix, "nginx.pid");
        if (File.Exists(pidFile) && int.TryParse(File.ReadAllText(pidFile).Trim(), out var pid))
        {
            try
            {
                using var master = Process.GetProcessById(pid);
                master.Kill(entireProcessTree: true);
                master.WaitForExit(5000);
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException)
            {
            }
        }
    }

    private static (int ExitCode, string Output) Run(string[] argv)
    {
        var start = new ProcessStartInfo(argv[0]) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in argv.Skip(1))
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result + stderr.Result);
    }
}
