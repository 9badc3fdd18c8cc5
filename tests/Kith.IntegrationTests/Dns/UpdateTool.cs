using System.Diagnostics;

namespace Kith.IntegrationTests.Dns;

/// <summary>Runs knsupdate, nsupdate or kdig with a script on stdin and gives back the exit code and output.</summary>
internal static class UpdateTool
{
    public sealed record Result(int ExitCode, string Output)
    {
        public override string ToString() => $"exit {ExitCode}: {Output}";
    }

    /// <summary>The nsupdate/knsupdate script that adds, deletes (... ) then sends, for the server on 127.0.0.1.</summary>
    public static string Script(int port, string zone, params string[] updates) =>
        $"server 127.0.0.1 {port}\nzone {zone}\n{string.Join("\n", updates.Select(u => "update " + u))}\nsend\nquit\n";

    public static async Task<Result> RunAsync(string tool, IEnumerable<string> arguments, string? stdin = null)
    {
        var start = new ProcessStartInfo(tool)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{tool} did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(stdin ?? string.Empty);
        process.StandardInput.Close();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{tool} did not finish within 30 s");
        }

        return new Result(process.ExitCode, (await output) + (await error));
    }
}
