using System.Text.Json;
using Kith.IntegrationTests.Support;

namespace Kith.IntegrationTests.Cli;

public class IssueTests
{
    [Fact]
    public async Task Issue_writes_five_files_into_the_out_folder_that_openssl_verifies()
    {
        using var kith = new KithWorkspace();
        await kith.SucceedAsync("init");
        await kith.SucceedAsync("apply");
        var folder = kith.File("issued");

        var result = await kith.SucceedAsync("issue", "www.home.arpa", "--machine", "server", "--out", folder);

        Assert.Contains("www.home.arpa", result.Out, StringComparison.Ordinal);
        foreach (var name in new[] { "cert.pem", "key.pem", "chain.pem", "fullchain.pem", "full.pem" })
        {
            Assert.True(File.Exists(Path.Combine(folder, name)), $"{name} missing\n{result}");
        }

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(folder, "key.pem")));
        var (code, output) = Openssl.Verify(kith.RootCertificate, Path.Combine(folder, "chain.pem"), Path.Combine(folder, "cert.pem"), "-purpose", "sslserver");
        Assert.True(code == 0, output);
        Assert.Equal(
            Openssl.Run("x509", "-in", Path.Combine(folder, "cert.pem"), "-pubkey", "-noout").Output,
            Openssl.Run("pkey", "-in", Path.Combine(folder, "key.pem"), "-pubout").Output);

        using var listed = JsonDocument.Parse((await kith.SucceedAsync("list", "--json")).Out);
        Assert.Contains(listed.RootElement.EnumerateArray(), c => c.GetProperty("names").EnumerateArray().Any(n => n.GetString() == "www.home.arpa"));
    }

    [Theory]
    [InlineData("evil.home.arpa")]
    [InlineData("www.example.com")]
    [InlineData("sub.other.home.arpa")]
    public async Task Issue_for_a_name_outside_the_machines_constraints_fails_and_stores_and_writes_nothing(string name)
    {
        using var kith = new KithWorkspace();
        await kith.SucceedAsync("init");
        await kith.SucceedAsync("apply");
        var countBefore = await CountAsync(kith);
        var before = FolderSnapshot.Take(kith.State);
        var folder = kith.File("refused");

        var result = await kith.KithAsync("issue", name, "--machine", "server", "--out", folder);

        CliRun.AssertCleanFailure(result, 1, name, "outside");
        Assert.False(Directory.Exists(folder), "a folder was written for a refused certificate");
        Assert.Equal(countBefore, await CountAsync(kith));
        before.AssertUnchanged(FolderSnapshot.Take(kith.State), "the state folder");
    }

    [Fact]
    public async Task Issue_for_a_machine_not_in_the_inventory_fails_naming_the_machine()
    {
        using var kith = new KithWorkspace();
        await kith.SucceedAsync("init");
        await kith.SucceedAsync("apply");
        var folder = kith.File("nowhere");

        var result = await kith.KithAsync("issue", "www.home.arpa", "--machine", "ghost", "--out", folder);

        CliRun.AssertCleanFailure(result, 1, "--machine", "ghost");
        Assert.False(Directory.Exists(folder));
    }

    private static async Task<int> CountAsync(KithWorkspace kith)
    {
        using var listed = JsonDocument.Parse((await kith.SucceedAsync("list", "--json", "--all")).Out);
        return listed.RootElement.GetArrayLength();
    }
}
