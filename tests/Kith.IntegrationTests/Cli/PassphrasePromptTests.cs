using System.Diagnostics;
using Kith.IntegrationTests.Support;

namespace Kith.IntegrationTests.Cli;

/// <summary>
/// The passphrase prompt needs a terminal: `script` (util-linux) gives the real kith process a
/// pseudo-terminal and types into it, as a person at the keyboard would.
/// </summary>
public class PassphrasePromptTests
{
    [Fact]
    public async Task Init_on_a_terminal_asks_twice_without_echo_and_encrypts_with_what_was_typed()
    {
        using var folder = new TempFolder();
        var state = folder.File("state");

        var output = await RunOnTerminalAsync($"--state '{state}' -f '{Path.Combine(Repository.Root, "examples", "homelab.yaml")}' init", "typed-on-a-tty", "typed-on-a-tty");

        Assert.Contains("Root key passphrase:", output, StringComparison.Ordinal);
        Assert.Contains("Repeat the passphrase:", output, StringComparison.Ordinal);
        Assert.DoesNotContain("typed-on-a-tty", output, StringComparison.Ordinal);
        var key = Path.Combine(state, "root", "root-ca.key");
        var (code, text) = Openssl.Run("pkey", "-in", key, "-passin", "pass:typed-on-a-tty", "-noout");
        Assert.True(code == 0, text);
    }

    [Fact]
    public async Task Two_different_passphrases_at_the_prompt_create_nothing()
    {
        using var folder = new TempFolder();
        var state = folder.File("state");

        var output = await RunOnTerminalAsync($"--state '{state}' -f '{Path.Combine(Repository.Root, "examples", "homelab.yaml")}' init", "first-passphrase", "second-passphrase");

        Assert.Contains("the two passphrases differ; nothing was created", output, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(state, "root")));
    }

    /// <summary>Runs kith on a terminal and answers each passphrase prompt once it is shown, as a person would.</summary>
    private static async Task<string> RunOnTerminalAsync(string arguments, string first, string second)
    {
        if (!File.Exists("/usr/bin/script"))
        {
            Assert.Skip("needs /usr/bin/script (Debian bsdutils) to give kith a terminal");
        }

        var cli = Path.Combine(AppContext.BaseDirectory, "Kith.Cli.dll");
        var start = new ProcessStartInfo("/usr/bin/script")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[] { "-qec", $"dotnet '{cli}' {arguments}", "/dev/null" })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment.Remove("KITH_ROOT_PASSPHRASE");
        using var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var output = new System.Text.StringBuilder();
        var buffer = new char[256];
        var answers = new Queue<(string Prompt, string Answer)>([("Root key passphrase:", first), ("Repeat the passphrase:", second)]);
        int read;
        while ((read = await process.StandardOutput.ReadAsync(buffer, timeout.Token)) > 0)
        {
            output.Append(buffer, 0, read);
            if (answers.TryPeek(out var next) && output.ToString().Contains(next.Prompt, StringComparison.Ordinal))
            {
                answers.Dequeue();

                // .NET turns echo off when it starts reading keys, just after the prompt is drawn; a person
                // types later than that, and so does this test.
                await Task.Delay(TimeSpan.FromMilliseconds(500), timeout.Token);
                await process.StandardInput.WriteAsync(next.Answer + "\r");
                await process.StandardInput.FlushAsync(timeout.Token);
            }
        }

        await process.WaitForExitAsync(timeout.Token);
        return output + await process.StandardError.ReadToEndAsync(timeout.Token);
    }
}
