using System.Diagnostics;
using System.Text;

namespace Kith.IntegrationTests.Acme.Clients;

/// <summary>What one run of an ACME client printed, for assertions and failure messages.</summary>
/// <param name="CommandLine">The command as run, with its arguments.</param>
/// <param name="ExitCode">The exit code; -1 when the run was killed at its time limit.</param>
/// <param name="Output">Standard output and standard error, interleaved as they arrived.</param>
internal sealed record ClientRun(string CommandLine, int ExitCode, string Output)
{
    public bool Succeeded => ExitCode == 0;

    public override string ToString() => $"$ {CommandLine}\nexit code {ExitCode}\n{Output}";
}

/// <summary>
/// A client or server process with its whole output captured: run to its end under a hard time limit
/// (<see cref="RunAsync"/>), or started in the background and killed with its children on dispose.
/// </summary>
internal sealed class ClientProcess : IDisposable
{
    private readonly Process process;
    private readonly StringBuilder output = new();

    private ClientProcess(string program, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment, string? workingDirectory)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        CommandLine = string.Join(' ', start.ArgumentList.Prepend(program));
        process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {program}");
        process.StandardInput.Close();
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string CommandLine { get; }

    public bool HasExited => process.HasExited;

    public int ExitCode => process.ExitCode;

    public string Output
    {
        get
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }

    /// <summary>Starts a long-running process (a server); it is killed with its children on dispose.</summary>
    public static ClientProcess Start(string program, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null, string? workingDirectory = null) =>
        new(program, arguments, environment, workingDirectory);

    /// <summary>Runs a process to its end; at <paramref name="timeout"/> its whole tree is killed and the run reports exit code -1.</summary>
    public static async Task<ClientRun> RunAsync(
        string program, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment, TimeSpan timeout, string? workingDirectory = null)
    {
        using var running = new ClientProcess(program, arguments, environment, workingDirectory);
        using var limit = new CancellationTokenSource(timeout);
        try
        {
            await running.process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            running.Kill();
            return new ClientRun(running.CommandLine, -1, running.Output + $"\n(killed after {timeout.TotalSeconds:0} s)");
        }

        // The parameterless wait also waits for the redirected output to be fully read.
        running.process.WaitForExit();
        return new ClientRun(running.CommandLine, running.process.ExitCode, running.Output);
    }

    public void Dispose()
    {
        Kill();
        process.Dispose();
    }

    private void Kill()
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }
}
