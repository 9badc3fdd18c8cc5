using System.Text.Json;
using Kith.IntegrationTests.Support;
using Kith.Storage;

namespace Kith.IntegrationTests.Cli;

public class AcmeCliTests
{
    private static readonly DateTimeOffset Issued = new(2026, 11, 20, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Acme_certificates_lists_only_the_certificates_issued_over_acme_with_their_revocation()
    {
        using var agent = new TempFolder();
        await using (var store = await SqliteCertificateStore.OpenAsync(Path.Combine(agent.Path, "kith.db"), TestContext.Current.CancellationToken))
        {
            await store.RecordAsync(
            [
                Record("0a01", "acme", ["music.home.arpa", "127.0.0.1"]),
                Record("0a02", "acme", ["*.apps.home.arpa"]),
                Record("0b01", "navidrome", ["navidrome.home.arpa"]),
            ], TestContext.Current.CancellationToken);
            await store.RevokeAsync("storage", "0a02", Issued.AddDays(1), RevocationReason.KeyCompromise, TestContext.Current.CancellationToken);
        }

        var json = await SucceedAsync("acme", "certificates", "--dir", agent.Path, "--json");

        using var document = JsonDocument.Parse(json.Out);
        var rows = document.RootElement.EnumerateArray().ToDictionary(r => r.GetProperty("serial").GetString()!);
        Assert.Equal(["0a01", "0a02"], rows.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["music.home.arpa", "127.0.0.1"], rows["0a01"].GetProperty("names").EnumerateArray().Select(n => n.GetString()));
        Assert.Equal(Issued.AddDays(7), rows["0a01"].GetProperty("not_after").GetDateTimeOffset());
        Assert.False(rows["0a01"].GetProperty("revoked").GetBoolean());
        Assert.True(rows["0a02"].GetProperty("revoked").GetBoolean());
        Assert.Equal("keyCompromise", rows["0a02"].GetProperty("revocation_reason").GetString());

        var table = await SucceedAsync("acme", "certificates", "--dir", agent.Path);
        var revokedLine = table.Out.Split('\n').Single(l => l.StartsWith("0a02", StringComparison.Ordinal));
        Assert.Contains("*.apps.home.arpa", revokedLine, StringComparison.Ordinal);
        Assert.Contains("keyCompromise", revokedLine, StringComparison.Ordinal);
        Assert.DoesNotContain("navidrome", table.Out, StringComparison.Ordinal);
        Assert.Contains("2 certificate(s)", table.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Acme_certificates_of_an_agent_without_a_store_is_an_empty_list_and_creates_no_store()
    {
        using var agent = new TempFolder();

        var table = await SucceedAsync("acme", "certificates", "--dir", agent.Path);
        var json = await SucceedAsync("acme", "certificates", "--dir", agent.Path, "--json");

        Assert.Contains("0 certificate(s)", table.Out, StringComparison.Ordinal);
        Assert.Equal("[]", json.Out.Trim());
        Assert.False(File.Exists(Path.Combine(agent.Path, "kith.db")));
    }

    [Theory]
    [InlineData("certificates")]
    [InlineData("eab create")]
    [InlineData("eab list")]
    public async Task Acme_commands_without_an_agent_folder_fail_in_one_line_naming_agent_init(string command)
    {
        using var temp = new TempFolder();
        var missing = temp.File("no-agent-here");

        var result = await CliRun.RunAsync([.. command.Split(' ').Prepend("acme"), "--dir", missing]);

        CliRun.AssertCleanFailure(result, 1, missing, "kith agent init");
        Assert.False(Directory.Exists(missing));
    }

    [Fact]
    public async Task Acme_certificates_with_an_unreadable_store_fails_in_one_line_naming_the_file()
    {
        using var agent = new TempFolder();
        var database = agent.Write("kith.db", "this is not a database, it is a note\n" + new string('x', 4096));

        var result = await CliRun.RunAsync("acme", "certificates", "--dir", agent.Path);

        CliRun.AssertCleanFailure(result, 1, database);
    }

    [Fact]
    public async Task Acme_eab_create_prints_a_key_that_eab_list_shows_without_its_secret()
    {
        using var agent = new TempFolder();

        var created = await SucceedAsync("acme", "eab", "create", "--dir", agent.Path);
        var kid = ValueOf(created.Out, "kid");
        var hmac = ValueOf(created.Out, "hmac key");
        Assert.Matches("^[A-Za-z0-9_-]{22}$", kid);
        Assert.Matches("^[A-Za-z0-9_-]{43}$", hmac);
        Assert.Contains($"--eab-kid {kid} --eab-hmac-key {hmac}", created.Out, StringComparison.Ordinal);
        Assert.Contains($"--eab --kid {kid} --hmac {hmac}", created.Out, StringComparison.Ordinal);

        var second = await SucceedAsync("acme", "eab", "create", "--dir", agent.Path, "--json");
        using var secondJson = JsonDocument.Parse(second.Out);
        var secondKid = secondJson.RootElement.GetProperty("kid").GetString()!;
        Assert.NotEqual(kid, secondKid);

        var list = await SucceedAsync("acme", "eab", "list", "--dir", agent.Path);
        Assert.Contains(kid, list.Out, StringComparison.Ordinal);
        Assert.Contains(secondKid, list.Out, StringComparison.Ordinal);
        Assert.Contains("(unused)", list.Out, StringComparison.Ordinal);
        Assert.DoesNotContain(hmac, list.Out, StringComparison.Ordinal);
        Assert.Contains("2 key(s)", list.Out, StringComparison.Ordinal);
    }

    private static string ValueOf(string output, string label)
    {
        var line = output.Split('\n').Single(l => l.StartsWith(label + " ", StringComparison.Ordinal));
        return line[label.Length..].Trim();
    }

    private static async Task<CliResult> SucceedAsync(params string[] args)
    {
        var result = await CliRun.RunAsync(args);
        Assert.True(result.ExitCode == 0, $"kith {string.Join(' ', args)}\n{result}");
        return result;
    }

    private static CertificateRecord Record(string serial, string service, IReadOnlyList<string> names) =>
        new("storage", serial, CertificateKind.Server, names, "storage", service, Issued, Issued.AddDays(7));
}
