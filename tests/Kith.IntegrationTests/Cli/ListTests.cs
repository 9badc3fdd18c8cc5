using System.Text.Json;
using Kith.IntegrationTests.Support;

namespace Kith.IntegrationTests.Cli;

public class ListTests
{
    [Fact]
    public async Task List_json_shows_the_root_the_host_ca_and_the_leaf_with_their_kinds()
    {
        using var kith = new KithWorkspace();
        await kith.SucceedAsync("init");
        await kith.SucceedAsync("apply");

        var result = await kith.SucceedAsync("list", "--json");

        using var document = JsonDocument.Parse(result.Out);
        var kinds = document.RootElement.EnumerateArray().Select(c => c.GetProperty("kind").GetString()).ToList();
        Assert.Equal(["root-ca", "host-ca", "server"], kinds);
        var leaf = document.RootElement[2];
        Assert.Equal("web", leaf.GetProperty("service").GetString());
        Assert.Equal("server", leaf.GetProperty("machine").GetString());
        Assert.Equal("valid", leaf.GetProperty("status").GetString());
        var lifetime = leaf.GetProperty("not_after").GetDateTimeOffset() - leaf.GetProperty("not_before").GetDateTimeOffset();
        Assert.InRange(lifetime, TimeSpan.FromDays(7), TimeSpan.FromDays(7.1));

        var table = await kith.SucceedAsync("list");
        Assert.Contains("www.home.arpa", table.Out, StringComparison.Ordinal);
        Assert.Contains("3 certificate(s)", table.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_expiring_shows_the_seven_day_leaves_within_eight_days_but_not_within_one()
    {
        using var kith = new KithWorkspace(Repository.Example("homelab.yaml"));
        await kith.SucceedAsync("init");
        await kith.SucceedAsync("apply");

        using var within8 = JsonDocument.Parse((await kith.SucceedAsync("list", "--json", "--expiring", "8d")).Out);
        using var within1 = JsonDocument.Parse((await kith.SucceedAsync("list", "--json", "--expiring", "1d")).Out);

        var leaves = within8.RootElement.EnumerateArray().Select(c => c.GetProperty("service").GetString()).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["apps", "backup", "calibre", "navidrome", "postgres"], leaves);
        Assert.Equal(0, within1.RootElement.GetArrayLength());
        var text = await kith.SucceedAsync("list", "--expiring", "1d");
        Assert.Contains("0 certificate(s)", text.Out, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("bogus")]
    [InlineData("-3d")]
    [InlineData("0d")]
    public async Task List_expiring_with_a_bad_duration_fails_naming_the_option(string window)
    {
        using var kith = new KithWorkspace();
        await kith.SucceedAsync("init");

        var result = await kith.KithAsync("list", "--expiring", window);

        CliRun.AssertCleanFailure(result, 1, "--expiring");
        Assert.Equal(string.Empty, result.Out);
    }

    [Fact]
    public async Task List_without_a_root_says_to_run_init()
    {
        using var kith = new KithWorkspace();

        var result = await kith.KithAsync("list");

        CliRun.AssertCleanFailure(result, 1, "kith init");
        Assert.False(Directory.Exists(kith.State));
    }
}
