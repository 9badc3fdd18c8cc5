using Kith.Agent;

namespace Kith.Tests.Agent;

public sealed class ProxyConfigFileTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    private readonly string folder = Directory.CreateTempSubdirectory("kith-proxy-file-").FullName;

    private string Config => Path.Combine(folder, "kith.conf");

    private string Reloads => Path.Combine(folder, "reloads");

    /// <summary>A validate command that accepts the file only when it holds no line "bad".</summary>
    private string[] Validate => ["sh", "-c", $"if grep -qx bad '{Config}'; then echo 'kith.conf:1: unknown directive \"bad\"' >&2; exit 1; fi"];

    private string[] Reload => ["sh", "-c", $"echo reload >> '{Reloads}'"];

    [Fact]
    public async Task A_new_config_is_written_validated_and_the_proxy_reloaded()
    {
        var file = new ProxyConfigFile(Config, Validate, Reload, Timeout);

        var apply = await file.ApplyAsync("good\n", certificatesRenewed: false, TestContext.Current.CancellationToken);

        Assert.Equal(new ProxyApply(ProxyApplyResult.Reloaded), apply);
        Assert.Equal("good\n", File.ReadAllText(Config));
        Assert.Equal(1, ReloadCount());
    }

    [Fact]
    public async Task The_same_content_runs_nothing_unless_certificates_were_renewed()
    {
        var file = new ProxyConfigFile(Config, Validate, Reload, Timeout);
        await file.ApplyAsync("good\n", false, TestContext.Current.CancellationToken);

        var same = await file.ApplyAsync("good\n", false, TestContext.Current.CancellationToken);
        var renewed = await file.ApplyAsync("good\n", true, TestContext.Current.CancellationToken);

        Assert.Equal(ProxyApplyResult.Unchanged, same.Result);
        Assert.Equal(ProxyApplyResult.Reloaded, renewed.Result);
        Assert.Equal(2, ReloadCount());
    }

    [Fact]
    public async Task A_config_the_validator_refuses_is_replaced_by_the_previous_one_and_nothing_is_reloaded()
    {
        var file = new ProxyConfigFile(Config, Validate, Reload, Timeout);
        await file.ApplyAsync("good\n", false, TestContext.Current.CancellationToken);

        var apply = await file.ApplyAsync("bad\n", false, TestContext.Current.CancellationToken);

        Assert.Equal(ProxyApplyResult.Rejected, apply.Result);
        Assert.Contains("refused the new config", apply.Error, StringComparison.Ordinal);
        Assert.Contains("unknown directive \"bad\"", apply.Error, StringComparison.Ordinal);
        Assert.Contains("previous", apply.Error, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', apply.Error!);
        Assert.Equal("good\n", File.ReadAllText(Config));
        Assert.Equal(1, ReloadCount());
        Assert.Equal(["kith.conf", "reloads"], Directory.GetFiles(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task The_same_refused_config_is_not_written_again_but_renewed_certificates_still_reload_the_previous_one()
    {
        var file = new ProxyConfigFile(Config, Validate, Reload, Timeout);
        await file.ApplyAsync("good\n", false, TestContext.Current.CancellationToken);
        var refused = await file.ApplyAsync("bad\n", false, TestContext.Current.CancellationToken);
        var written = File.GetLastWriteTimeUtc(Config);

        var again = await file.ApplyAsync("bad\n", certificatesRenewed: true, TestContext.Current.CancellationToken);

        Assert.Equal(new ProxyApply(ProxyApplyResult.Rejected, refused.Error, Again: true), again);
        Assert.Equal(written, File.GetLastWriteTimeUtc(Config));
        Assert.Equal("good\n", File.ReadAllText(Config));
        Assert.Equal(2, ReloadCount());
    }

    [Fact]
    public async Task A_refused_first_config_is_removed()
    {
        var file = new ProxyConfigFile(Config, Validate, Reload, Timeout);

        var apply = await file.ApplyAsync("bad\n", false, TestContext.Current.CancellationToken);

        Assert.Equal(ProxyApplyResult.Rejected, apply.Result);
        Assert.Contains("removed", apply.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(Config));
        Assert.Equal(0, ReloadCount());
    }

    [Fact]
    public async Task A_failed_reload_is_run_again_on_the_next_attempt_even_with_the_same_content()
    {
        var failing = new ProxyConfigFile(Config, Validate, ["sh", "-c", "echo 'nginx.service is not active' >&2; exit 1"], Timeout);

        var apply = await failing.ApplyAsync("good\n", false, TestContext.Current.CancellationToken);
        var again = await failing.ApplyAsync("good\n", false, TestContext.Current.CancellationToken);

        Assert.Equal(ProxyApplyResult.ReloadFailed, apply.Result);
        Assert.Contains("nginx.service is not active", apply.Error, StringComparison.Ordinal);
        Assert.Equal("good\n", File.ReadAllText(Config));
        Assert.Equal(ProxyApplyResult.ReloadFailed, again.Result);
    }

    [Fact]
    public async Task A_config_that_cannot_be_written_is_reported_and_nothing_is_run()
    {
        var taken = Directory.CreateDirectory(Path.Combine(folder, "taken.conf")).FullName;
        var file = new ProxyConfigFile(taken, Validate, Reload, Timeout);

        var apply = await file.ApplyAsync("good\n", false, TestContext.Current.CancellationToken);

        Assert.Equal(ProxyApplyResult.WriteFailed, apply.Result);
        Assert.Contains("could not be written", apply.Error, StringComparison.Ordinal);
        Assert.Equal(0, ReloadCount());
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private int ReloadCount() => File.Exists(Reloads) ? File.ReadAllLines(Reloads).Length : 0;
}
