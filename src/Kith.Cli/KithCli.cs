using System.CommandLine;
using Kith.Cli.Commands;
using Spectre.Console;

namespace Kith.Cli;

/// <summary>
/// The kith command line. Exit codes: 0 success, 1 failure (the message says what and what to do),
/// 2 usage error. A user's mistake never prints a stack trace; KITH_DEBUG=1 shows one for internal errors.
/// </summary>
public static class KithCli
{
    public const int Success = 0;
    public const int Failure = 1;
    public const int Usage = 2;

    public static async Task<int> RunAsync(string[] args, TextWriter? output = null, TextWriter? error = null)
    {
        output ??= Console.Out;
        error ??= Console.Error;
        var root = new RootCommand("kith: internal HTTPS and mTLS for a fleet of self-hosted machines");
        GlobalOptions.AddTo(root);
        root.Subcommands.Add(InitCommand.Create(output));
        root.Subcommands.Add(PlanCommand.Create(output));
        root.Subcommands.Add(ApplyCommand.Create(output, error));
        root.Subcommands.Add(IssueCommand.Create(output));
        root.Subcommands.Add(RevokeCommand.Create(output));
        root.Subcommands.Add(ListCommand.Create(output));
        root.Subcommands.Add(InspectCommand.Create(output));
        root.Subcommands.Add(MachineCommand.Create(output));
        root.Subcommands.Add(AgentCommand.Create(output));
        root.Subcommands.Add(PublishCommand.Create(output));
        root.Subcommands.Add(StatusCommand.Create(output));
        root.Subcommands.Add(AcmeCommand.Create(output));
        root.Subcommands.Add(DnsCommand.Create(output, error));
        root.Subcommands.Add(ProxyCommand.Create(output, error));
        root.Subcommands.Add(DoctorCommand.Create(output));

        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var problem in parse.Errors)
            {
                await error.WriteLineAsync($"kith: {problem.Message}");
            }

            await error.WriteLineAsync("Run 'kith --help' for usage.");
            return Usage;
        }

        using var cancel = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        try
        {
            var configuration = new InvocationConfiguration { EnableDefaultExceptionHandler = false, Output = output, Error = error };
            return await parse.InvokeAsync(configuration, cancel.Token);
        }
        catch (KithException e)
        {
            await error.WriteLineAsync($"kith: error: {e.Message}");
            return Failure;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The file system refused (a path below a file, permissions, a full disk): the user's to fix.
            await error.WriteLineAsync($"kith: error: {e.Message}");
            return Failure;
        }
        catch (OperationCanceledException)
        {
            await error.WriteLineAsync("kith: cancelled");
            return Failure;
        }
#pragma warning disable CA1031 // The last line of defence: report, never crash with a trace the user did not ask for.
        catch (Exception e)
#pragma warning restore CA1031
        {
            await error.WriteLineAsync($"kith: internal error: {e.GetType().Name}: {e.Message}");
            if (Environment.GetEnvironmentVariable("KITH_DEBUG") == "1")
            {
                await error.WriteLineAsync(e.ToString());
            }
            else
            {
                await error.WriteLineAsync("(set KITH_DEBUG=1 for the stack trace, and please report it)");
            }

            return Failure;
        }
        finally
        {
            // Runs in one process (tests, a host) must not leave a handler behind that cancels a disposed source.
            Console.CancelKeyPress -= onCancel;
        }
    }

    /// <summary>A Spectre console writing to the given writer (a test's, or stdout).</summary>
    internal static IAnsiConsole ConsoleFor(TextWriter writer) => AnsiConsole.Create(new AnsiConsoleSettings
    {
        Out = new AnsiConsoleOutput(writer),
        Interactive = InteractionSupport.No,
        Ansi = writer == Console.Out && !Console.IsOutputRedirected ? AnsiSupport.Detect : AnsiSupport.No,
        ColorSystem = writer == Console.Out && !Console.IsOutputRedirected ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
    });
}
