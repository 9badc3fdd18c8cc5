using Kith.IntegrationTests.Support;

namespace Kith.IntegrationTests.Cli;

public class InitTests
{
    [Fact]
    public async Task Init_creates_the_root_certificate_an_encrypted_private_key_and_the_store()
    {
        using var kith = new KithWorkspace();

        var result = await kith.SucceedAsync("init");

        Assert.True(File.Exists(kith.RootCertificate), result.ToString());
        Assert.True(File.Exists(Path.Combine(kith.State, "kith.db")), result.ToString());
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(kith.RootKey));
        Assert.Contains("BEGIN ENCRYPTED PRIVATE KEY", File.ReadAllText(kith.RootKey), StringComparison.Ordinal);

        var (empty, emptyOutput) = Openssl.Run("pkey", "-in", kith.RootKey, "-passin", "pass:", "-noout");
        Assert.True(empty != 0, "the Root key opened without its passphrase: " + emptyOutput);
        var (wrong, wrongOutput) = Openssl.Run("pkey", "-in", kith.RootKey, "-passin", "pass:not the passphrase", "-noout");
        Assert.True(wrong != 0, "the Root key opened with a wrong passphrase: " + wrongOutput);
        var (right, rightOutput) = Openssl.Run("pkey", "-in", kith.RootKey, "-passin", "file:" + kith.PassphraseFile, "-pubout");
        Assert.True(right == 0, rightOutput);

        var (_, certificatePublicKey) = Openssl.Run("x509", "-in", kith.RootCertificate, "-pubkey", "-noout");
        Assert.Equal(certificatePublicKey.Trim(), rightOutput.Trim());
        var (_, text) = Openssl.Run("x509", "-in", kith.RootCertificate, "-noout", "-text");
        Assert.Contains("CA:TRUE", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_second_init_says_nothing_changed_and_leaves_every_file_byte_identical()
    {
        using var kith = new KithWorkspace();
        await kith.SucceedAsync("init");
        var before = FolderSnapshot.Take(kith.State);
        var inventoryBefore = File.ReadAllBytes(kith.Inventory);

        var result = await kith.SucceedAsync("init");

        Assert.Contains("nothing changed", result.Out, StringComparison.Ordinal);
        Assert.Equal(string.Empty, result.Err);
        before.AssertUnchanged(FolderSnapshot.Take(kith.State), "the state folder");
        Assert.Equal(inventoryBefore, File.ReadAllBytes(kith.Inventory));
    }

    [Fact]
    public async Task Init_without_an_inventory_writes_a_skeleton_that_plan_accepts()
    {
        using var kith = new KithWorkspace();
        File.Delete(kith.Inventory);

        var result = await kith.SucceedAsync("init", "--domain", "lab.home.arpa");

        Assert.Contains("created", result.Out, StringComparison.Ordinal);
        Assert.Contains("domain: lab.home.arpa", File.ReadAllText(kith.Inventory), StringComparison.Ordinal);
        var plan = await kith.SucceedAsync("plan");
        Assert.Contains("create", plan.Out, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("directory")]
    [InlineData("missing")]
    public async Task Init_with_a_passphrase_file_that_is_not_a_file_fails_naming_it_and_creates_nothing(string kind)
    {
        using var kith = new KithWorkspace();
        kith.PassphraseFile = kith.File("passphrase-" + kind);
        if (kind == "directory")
        {
            Directory.CreateDirectory(kith.PassphraseFile);
        }

        var result = await kith.KithAsync("init");

        CliRun.AssertCleanFailure(result, 1, kith.PassphraseFile);
        Assert.False(Directory.Exists(kith.State), "init created the state folder although it failed");
    }

    [Fact]
    public async Task Init_refuses_a_passphrase_shorter_than_eight_characters_and_creates_nothing()
    {
        using var kith = new KithWorkspace();
        File.WriteAllText(kith.PassphraseFile, "short\n");

        var result = await kith.KithAsync("init");

        CliRun.AssertCleanFailure(result, 1, "passphrase", "8");
        Assert.False(File.Exists(kith.RootKey));
    }
}
