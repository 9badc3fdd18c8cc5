using System.ComponentModel;
using System.Diagnostics;

namespace Kith.Reconcile;

/// <summary>
/// Runs a service's reload argv directly (no shell, so nothing in the state is ever interpreted), with a
/// timeout on the real clock: a command still running then is killed with its whole process tree.
/// </summary>
public static class ReloadCommand
{
    private const int TailLength = 512;

    public static async Task<ReloadOutcome> RunAsync(IReadOnlyList<string> argv, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(argv);
        if (argv.Count == 0)
        {
            return new ReloadOutcome(true, 0, false, null);
        }

        var start = new ProcessStartInfo(argv[0])
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in argv.Skip(1))
        {
            start.ArgumentList.Add(argument);
        }

        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            return new ReloadOutcome(false, null, false, $"{argv[0]}: cannot start ({e.Message})");
        }

        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // It ended between the timeout and the kill.
            }

            await process.WaitForExitAsync(CancellationToken.None);
            cancellationToken.ThrowIfCancellationRequested();
            return new ReloadOutcome(false, null, true, $"{argv[0]}: timed out after {timeout.TotalSeconds:0.#}s, killed");
        }

        // Grandchildren that kept the pipes open must not hold the pass: the streams get a moment, no more.
        await Task.WhenAny(Task.WhenAll(stdout, stderr), Task.Delay(TimeSpan.FromSeconds(1), CancellationToken.None));
        if (process.ExitCode == 0)
        {
            return new ReloadOutcome(true, 0, false, null);
        }

        var tail = stderr.IsCompletedSuccessfully ? Tail(stderr.Result) : "";
        return new ReloadOutcome(false, process.ExitCode, false, $"{argv[0]}: exit code {process.ExitCode}{(tail.Length > 0 ? ": " + tail : "")}");
    }

    private static string Tail(string text)
    {
        text = text.Trim();
        return text.Length <= TailLength ? text : "…" + text[^TailLength..];
    }
}
