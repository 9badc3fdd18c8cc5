using System.Text.RegularExpressions;
using Kith.IntegrationTests.Support;

namespace Kith.IntegrationTests.Cli;

public partial class GarbageInputTests
{
    public static TheoryData<string> BrokenInventories => ["empty", "truncated", "binary", "directory", "five-mebibytes", "nul-bytes"];

    public static TheoryData<string> BrokenCertificates => ["empty", "truncated-pem", "der-with-trailing-junk", "truncated-der", "random-bytes", "random-bytes-like-der", "directory", "two-mebibytes", "pem-with-garbage-body"];

    [Theory]
    [MemberData(nameof(BrokenInventories))]
    public async Task Plan_and_apply_on_a_broken_inventory_fail_with_one_line_naming_the_file_and_write_nothing(string kind)
    {
        using var kith = new KithWorkspace();
        await kith.SucceedAsync("init");
        kith.Inventory = kith.File("broken-" + kind + ".yaml");
        switch (kind)
        {
            case "empty":
                File.WriteAllText(kith.Inventory, string.Empty);
                break;
            case "truncated":
                var homelab = Repository.Example("homelab.yaml");
                File.WriteAllText(kith.Inventory, homelab[..(homelab.IndexOf("\"fd7a:115c:a1e0::10\"", StringComparison.Ordinal) + 6)]);
                break;
            case "binary":
                File.WriteAllBytes(kith.Inventory, RandomBytes(4096, seed: 7, first: 0xff));
                break;
            case "directory":
                Directory.CreateDirectory(kith.Inventory);
                break;
            case "five-mebibytes":
                File.WriteAllText(kith.Inventory, "domain: home.arpa\n" + new string('#', 5 << 20) + "\n");
                break;
            case "nul-bytes":
                File.WriteAllText(kith.Inventory, "domain: home.arpa\0\nmachines: {}\n");
                break;
        }

        var before = FolderSnapshot.Take(kith.State);

        foreach (var command in new[] { "plan", "apply" })
        {
            var result = await kith.KithAsync(command);

            CliRun.AssertCleanFailure(result, 1, kith.Inventory);
            Assert.Equal(string.Empty, result.Out);
        }

        before.AssertUnchanged(FolderSnapshot.Take(kith.State), "the state folder");
    }

    [Fact]
    public async Task An_unknown_key_in_the_inventory_is_reported_at_its_line_and_column_with_the_nearest_valid_key()
    {
        using var kith = new KithWorkspace();
        await kith.SucceedAsync("init");
        kith.Inventory = kith.Write("typo.yaml", Repository.Example("minimal.yaml") + "    alias: [web.home.arpa]\n");
        var before = FolderSnapshot.Take(kith.State);

        var result = await kith.KithAsync("apply");

        CliRun.AssertCleanFailure(result, 1, "'alias'", "did you mean 'aliases'");
        Assert.Matches(LocationOf("typo.yaml"), result.Err);
        before.AssertUnchanged(FolderSnapshot.Take(kith.State), "the state folder");
    }

    [Fact]
    public async Task A_duplicate_endpoint_in_the_inventory_is_reported_at_its_line_and_column()
    {
        using var kith = new KithWorkspace();
        await kith.SucceedAsync("init");
        kith.Inventory = kith.Write("twice.yaml", Repository.Example("minimal.yaml") + """
              blog:
                machine: server
                endpoints: [www.home.arpa]

            """);
        var before = FolderSnapshot.Take(kith.State);

        var result = await kith.KithAsync("apply");

        CliRun.AssertCleanFailure(result, 1, "www.home.arpa");
        Assert.Matches(LocationOf("twice.yaml"), result.Err);
        before.AssertUnchanged(FolderSnapshot.Take(kith.State), "the state folder");
    }

    [Theory]
    [MemberData(nameof(BrokenCertificates))]
    public async Task Inspect_on_a_broken_certificate_file_fails_with_one_line_naming_the_file(string kind)
    {
        using var kith = new KithWorkspace();
        await kith.SucceedAsync("init");
        var path = kith.File("broken-" + kind);
        var (code, pem) = Openssl.Run("x509", "-in", kith.RootCertificate);
        Assert.Equal(0, code);
        var der = Convert.FromBase64String(string.Concat(pem.Split('\n').Where(l => !l.StartsWith("-----", StringComparison.Ordinal))));
        switch (kind)
        {
            case "empty":
                File.WriteAllBytes(path, []);
                break;
            case "truncated-pem":
                File.WriteAllText(path, pem[..(pem.Length / 2)]);
                break;
            case "der-with-trailing-junk":
                File.WriteAllBytes(path, [.. der, .. "junk"u8]);
                break;
            case "truncated-der":
                File.WriteAllBytes(path, der[..(der.Length / 2)]);
                break;
            case "random-bytes":
                File.WriteAllBytes(path, RandomBytes(2048, seed: 11, first: 0x9c));
                break;
            case "random-bytes-like-der":
                File.WriteAllBytes(path, RandomBytes(2048, seed: 13, first: 0x30));
                break;
            case "directory":
                Directory.CreateDirectory(path);
                break;
            case "two-mebibytes":
                File.WriteAllText(path, string.Concat(Enumerable.Repeat(pem, (2 << 20) / pem.Length + 1)));
                break;
            case "pem-with-garbage-body":
                File.WriteAllText(path, "-----BEGIN CERTIFICATE-----\nTm90IGEgY2VydGlmaWNhdGUgYXQgYWxs\n-----END CERTIFICATE-----\n");
                break;
        }

        var before = FolderSnapshot.Take(kith.State);

        var result = await kith.KithAsync("inspect", path);

        CliRun.AssertCleanFailure(result, 1, path);
        Assert.Equal(string.Empty, result.Out);
        before.AssertUnchanged(FolderSnapshot.Take(kith.State), "the state folder");
    }

    [Fact]
    public async Task Inspect_on_a_missing_file_that_is_not_host_and_port_says_so()
    {
        using var kith = new KithWorkspace();
        await kith.SucceedAsync("init");
        var path = kith.File("no-such.pem");

        var result = await kith.KithAsync("inspect", path);

        CliRun.AssertCleanFailure(result, 1, path, "no such file");
    }

    private static byte[] RandomBytes(int length, int seed, byte first)
    {
#pragma warning disable CA5394 // Deterministic junk, not a secret.
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
#pragma warning restore CA5394
        bytes[0] = first;
        return bytes;
    }

    private static Regex LocationOf(string file) => new($@"{Regex.Escape(file)}:\d+:\d+: ");
}
