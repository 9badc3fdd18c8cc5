using System.Text.Json;
using Kith.IntegrationTests.Support;

namespace Kith.IntegrationTests.Cli;

public class FileSystemErrorTests
{
    [Fact]
    public async Task Apply_refuses_an_endpoint_folder_it_did_not_create_before_signing_anything()
    {
        using var kith = new KithWorkspace();
        await kith.SucceedAsync("init");
        var folder = kith.EndpointFolder("server", "/var/lib/acme/www.home.arpa");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "mine.txt"), "the operator's own file\n");
        var before = FolderSnapshot.Take(kith.State);

        var result = await kith.KithAsync("apply");

        CliRun.AssertCleanFailure(result, 1, folder, "did not create");
        before.AssertUnchanged(FolderSnapshot.Take(kith.State), "the state folder (no Host CA signed, nothing logged)");
    }

    [Fact]
    public async Task Issue_with_out_naming_an_existing_file_fails_with_one_line_and_stores_nothing()
    {
        using var kith = new KithWorkspace();
        await kith.SucceedAsync("init");
        await kith.SucceedAsync("apply");
        var file = kith.Write("already-a-file", "keep me\n");
        var count = await CountAsync(kith);

        var result = await kith.KithAsync("issue", "www.home.arpa", "--machine", "server", "--out", file);

        CliRun.AssertCleanFailure(result, 1, file);
        Assert.Equal("keep me\n", File.ReadAllText(file));
        Assert.Equal(count, await CountAsync(kith));
    }

    [Fact]
    public async Task Init_with_a_state_folder_below_a_file_fails_with_one_line_not_an_internal_error()
    {
        using var kith = new KithWorkspace();
        var file = kith.Write("not-a-folder", "x\n");

        var result = await CliRun.RunAsync("init", "--state", Path.Combine(file, "state"), "-f", kith.Inventory, "--passphrase-file", kith.PassphraseFile);

        CliRun.AssertCleanFailure(result, 1, file);
    }

    private static async Task<int> CountAsync(KithWorkspace kith)
    {
        using var listed = JsonDocument.Parse((await kith.SucceedAsync("list", "--json", "--all")).Out);
        return listed.RootElement.GetArrayLength();
    }
}
