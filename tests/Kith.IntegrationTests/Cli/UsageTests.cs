using Kith.IntegrationTests.Support;

namespace Kith.IntegrationTests.Cli;

public class UsageTests
{
    [Theory]
    [InlineData("frobnicate")]
    [InlineData("list", "--no-such-option")]
    [InlineData("issue", "www.home.arpa")]
    [InlineData("issue", "--machine", "server")]
    [InlineData("inspect")]
    [InlineData("apply", "--out")]
    public async Task A_usage_mistake_exits_with_2_and_changes_nothing(params string[] args)
    {
        using var kith = new KithWorkspace();
        await kith.SucceedAsync("init");
        var before = FolderSnapshot.Take(kith.State);

        var result = await kith.KithAsync(args);

        CliRun.AssertUsageError(result);
        Assert.Contains("kith --help", result.Err, StringComparison.Ordinal);
        before.AssertUnchanged(FolderSnapshot.Take(kith.State), "the state folder");
    }

    [Fact]
    public async Task Issue_without_machine_names_the_missing_option()
    {
        using var kith = new KithWorkspace();

        var result = await kith.KithAsync("issue", "www.home.arpa");

        CliRun.AssertUsageError(result, "--machine");
    }

    [Fact]
    public async Task An_unknown_command_names_it()
    {
        var result = await CliRun.RunAsync("frobnicate");

        CliRun.AssertUsageError(result, "frobnicate");
    }

    [Fact]
    public async Task Help_exits_with_0_and_lists_the_commands()
    {
        var result = await CliRun.RunAsync("--help");

        Assert.True(result.ExitCode == 0, result.ToString());
        foreach (var command in new[] { "init", "plan", "apply", "issue", "list", "inspect" })
        {
            Assert.Contains(command, result.Out, StringComparison.Ordinal);
        }
    }
}
