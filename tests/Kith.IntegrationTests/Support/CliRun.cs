using Kith.Cli;

namespace Kith.IntegrationTests.Support;

/// <summary>What one run of the kith command line did.</summary>
internal sealed record CliResult(int ExitCode, string Out, string Err)
{
    /// <summary>Everything, for assertion messages.</summary>
    public override string ToString() => $"exit code {ExitCode}\n--- stdout\n{Out}\n--- stderr\n{Err}";
}

/// <summary>Runs the CLI in-process with its own stdout and stderr writers.</summary>
internal static class CliRun
{
    public static async Task<CliResult> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await KithCli.RunAsync(args, output, error);
        return new CliResult(code, output.ToString(), error.ToString());
    }

    /// <summary>
    /// A failure as a user should see it: the exit code, one line on stderr that mentions each of
    /// <paramref name="mentions"/> (case-insensitively), and no stack trace anywhere.
    /// </summary>
    public static void AssertCleanFailure(CliResult result, int exitCode, params string[] mentions)
    {
        Assert.True(result.ExitCode == exitCode, result.ToString());
        AssertNoStackTrace(result);
        var lines = result.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.True(lines.Length == 1, $"expected one line on stderr\n{result}");
        Assert.DoesNotContain("internal error", lines[0], StringComparison.OrdinalIgnoreCase);
        foreach (var mention in mentions)
        {
            Assert.True(lines[0].Contains(mention, StringComparison.OrdinalIgnoreCase), $"stderr should mention '{mention}'\n{result}");
        }
    }

    /// <summary>A usage error: exit code 2, a "kith:" message, no stack trace.</summary>
    public static void AssertUsageError(CliResult result, params string[] mentions)
    {
        Assert.True(result.ExitCode == KithCli.Usage, result.ToString());
        AssertNoStackTrace(result);
        Assert.StartsWith("kith: ", result.Err, StringComparison.Ordinal);
        foreach (var mention in mentions)
        {
            Assert.True(result.Err.Contains(mention, StringComparison.OrdinalIgnoreCase), $"stderr should mention '{mention}'\n{result}");
        }
    }

    public static void AssertNoStackTrace(CliResult result)
    {
        foreach (var text in new[] { result.Out, result.Err })
        {
            Assert.False(text.Contains("   at ", StringComparison.Ordinal), result.ToString());
            Assert.False(text.Contains("Exception", StringComparison.Ordinal), result.ToString());
        }
    }
}
