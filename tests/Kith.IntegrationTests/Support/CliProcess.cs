using System.Diagnostics;

namespace Kith.IntegrationTests.Support;

/// <summary>The kith command line (the Kith.Cli.dll next to the tests) as a separate process, optionally under a launcher such as ip netns exec.</summary>
internal static class CliProcess
{
    public static ProcessStartInfo StartInfo(IReadOnlyList<string>? launcher, params string[] args)
    {
        var command = new List<string>(launcher ?? []) { "dotnet", Path.Combine(AppContext.BaseDirectory, "Kith.Cli.dll") };
        command.AddRange(args);
        var start = new ProcessStartInfo(command[0])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (var argument in command.Skip(1))
        {
            start.ArgumentList.Add(argument);
        }

        return start;
    }

    /// <summary>Runs one command to its end (at most 60 s) and returns what it printed.</summary>
    public static async Task<CliResult> RunAsync(IReadOnlyList<string>? launcher, params string[] args)
    {
        using var process = Process.Start(StartInfo(launcher, args))!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            TestProcesses.KillAndDispose(process);
            throw new TimeoutException($"kith {string.Join(' ', args)} did not finish within 60 s");
        }

        return new CliResult(process.ExitCode, await stdout, await stderr);
    }
}
