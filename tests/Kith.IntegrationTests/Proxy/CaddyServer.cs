using System.Diagnostics;
using System.Text;
using Kith.IntegrationTests.Support;

namespace Kith.IntegrationTests.Proxy;

/// <summary>
/// Debian's caddy running a Caddyfile in the foreground, its data and config folders inside <c>folder</c>, the
/// admin endpoint off (the test never reloads it), killed on dispose.
/// </summary>
internal sealed class CaddyServer : IDisposable
{
    private readonly Process process;
    private readonly StringBuilder output = new();

    private CaddyServer(Process process)
    {
        this.process = process;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Log
    {
        get
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }

    /// <summary>Runs <c>caddy</c> with <paramref name="arguments"/> and the folder's environment; returns its exit code and output.</summary>
    public static (int ExitCode, string Output) Run(string folder, params string[] arguments)
    {
        using var process = Process.Start(Start(folder, arguments))!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    /// <summary>Writes <paramref name="caddyfile"/> (with <c>admin off</c> added to its global options) and runs it until <paramref name="port"/> accepts.</summary>
    public static async Task<CaddyServer> StartAsync(string folder, string caddyfile, int port)
    {
        var global = caddyfile.IndexOf("\n{\n", StringComparison.Ordinal);
        Assert.True(global >= 0, "the Caddyfile has no global options block");
        var path = Path.Combine(folder, "Caddyfile");
        File.WriteAllText(path, caddyfile.Insert(global + 3, "\tadmin off\n"));
        var caddy = new CaddyServer(Process.Start(Start(folder, ["run", "--config", path, "--adapter", "caddyfile"]))!);
        await TestProcesses.WaitForLoopbackPortAsync(caddy.process, port, TimeSpan.FromSeconds(30), () => caddy.Log, caddy);
        return caddy;
    }

    public void Dispose() => TestProcesses.KillAndDispose(process);

    private static ProcessStartInfo Start(string folder, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo("caddy") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["HOME"] = folder;
        start.Environment["XDG_DATA_HOME"] = Path.Combine(folder, "data");
        start.Environment["XDG_CONFIG_HOME"] = Path.Combine(folder, "config");
        return start;
    }

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
