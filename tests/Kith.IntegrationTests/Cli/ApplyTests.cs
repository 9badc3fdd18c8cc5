using System.Text.Json;
using Kith.IntegrationTests.Support;

namespace Kith.IntegrationTests.Cli;

public class ApplyTests
{
    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>examples/homelab.yaml: each service's folder on its machine, and the mode its key gets.</summary>
    private static readonly (string Machine, string Service, string Folder, UnixFileMode KeyMode)[] HomelabEndpoints =
    [
        ("storage", "navidrome", "/var/lib/acme/music.home.arpa", Private),
        ("storage", "postgres", "/var/lib/acme/db.home.arpa", Private),
        ("media", "calibre", "/var/lib/acme/xn--bcher-kva.home.arpa", Private),
        ("edge", "apps", "/var/lib/acme/_.apps.home.arpa", Private),
        ("laptop", "backup", "/var/lib/acme/backup", Private | UnixFileMode.GroupRead),
    ];

    private static readonly string[] Machines = ["storage", "edge", "media", "laptop"];

    private static readonly string[] EndpointFiles = ["cert.pem", "key.pem", "chain.pem", "fullchain.pem", "full.pem"];

    [Fact]
    public async Task Plan_before_the_first_apply_lists_every_host_ca_and_service_as_create()
    {
        using var kith = new KithWorkspace(Repository.Example("homelab.yaml"));
        await kith.SucceedAsync("init");

        var table = await kith.SucceedAsync("plan");
        var json = await kith.SucceedAsync("plan", "--json");

        foreach (var machine in Machines)
        {
            Assert.Contains(table.Out.Split('\n'), l => l.StartsWith(machine + " ", StringComparison.Ordinal) && l.Contains("host CA", StringComparison.Ordinal) && l.Contains("create", StringComparison.Ordinal));
        }

        foreach (var (machine, service, _, _) in HomelabEndpoints)
        {
            Assert.Contains(table.Out.Split('\n'), l => l.StartsWith(machine + " ", StringComparison.Ordinal) && l.Contains($" {service} ", StringComparison.Ordinal) && l.Contains("create", StringComparison.Ordinal));
        }

        Assert.Contains("4 Host CA(s) to sign", table.Out, StringComparison.Ordinal);
        Assert.Contains("5 certificate(s) to issue", table.Out, StringComparison.Ordinal);

        using var document = JsonDocument.Parse(json.Out);
        var items = document.RootElement.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(9, items.Count);
        Assert.Equal(9, document.RootElement.GetProperty("changes").GetInt32());
        Assert.False(document.RootElement.GetProperty("applied").GetBoolean());
        Assert.Equal(4, items.Count(i => i.GetProperty("kind").GetString() == "host-ca"));
        Assert.Equal(5, items.Count(i => i.GetProperty("kind").GetString() == "certificate"));
        Assert.All(items, i => Assert.Equal("create", i.GetProperty("action").GetString()));

        Assert.False(Directory.Exists(kith.OutputFolder), "plan wrote output files");
        Assert.False(Directory.Exists(Path.Combine(kith.State, "hosts")), "plan made Host CA keys");
    }

    [Fact]
    public async Task Apply_on_the_homelab_writes_five_files_per_endpoint_that_openssl_verifies_against_the_root()
    {
        using var kith = new KithWorkspace(Repository.Example("homelab.yaml"));
        await kith.SucceedAsync("init");

        var result = await kith.SucceedAsync("apply");

        Assert.Contains("signed 4 Host CA(s), issued 5 certificate(s)", result.Out, StringComparison.Ordinal);
        foreach (var (machine, service, path, keyMode) in HomelabEndpoints)
        {
            var folder = kith.EndpointFolder(machine, path);
            foreach (var name in EndpointFiles)
            {
                Assert.True(File.Exists(Path.Combine(folder, name)), $"{service}: {name} missing in {folder}\n{result}");
            }

            Assert.Equal(keyMode, File.GetUnixFileMode(Path.Combine(folder, "key.pem")));
            Assert.Equal(keyMode, File.GetUnixFileMode(Path.Combine(folder, "full.pem")));

            var (code, output) = Openssl.Verify(kith.RootCertificate, Path.Combine(folder, "chain.pem"), Path.Combine(folder, "cert.pem"));
            Assert.True(code == 0, $"{service}: {output}");
            var (fullCode, fullOutput) = Openssl.Verify(kith.RootCertificate, Path.Combine(folder, "fullchain.pem"), Path.Combine(folder, "cert.pem"));
            Assert.True(fullCode == 0, $"{service} (fullchain): {fullOutput}");

            var certificateKey = Openssl.Run("x509", "-in", Path.Combine(folder, "cert.pem"), "-pubkey", "-noout");
            var privateKey = Openssl.Run("pkey", "-in", Path.Combine(folder, "key.pem"), "-pubout");
            var fullKey = Openssl.Run("pkey", "-in", Path.Combine(folder, "full.pem"), "-pubout");
            Assert.True(certificateKey.ExitCode == 0 && privateKey.ExitCode == 0, certificateKey.Output + privateKey.Output);
            Assert.Equal(certificateKey.Output, privateKey.Output);
            Assert.Equal(certificateKey.Output, fullKey.Output);
        }

        foreach (var machine in Machines)
        {
            Assert.Equal(Private, File.GetUnixFileMode(Path.Combine(kith.State, "hosts", machine, "host-ca.key")));
        }

        var calibre = Openssl.Run("x509", "-in", Path.Combine(kith.EndpointFolder("media", "/var/lib/acme/xn--bcher-kva.home.arpa"), "cert.pem"), "-noout", "-ext", "subjectAltName");
        Assert.Contains("DNS:xn--bcher-kva.home.arpa", calibre.Output, StringComparison.Ordinal);
        Assert.Contains("DNS:books.lab.example.org", calibre.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_second_apply_issues_nothing_and_changes_no_file()
    {
        using var kith = new KithWorkspace(Repository.Example("homelab.yaml"));
        await kith.SucceedAsync("init");
        await kith.SucceedAsync("apply");
        var before = FolderSnapshot.Take(kith.State);
        var listed = await kith.SucceedAsync("list", "--json", "--all");

        var result = await kith.SucceedAsync("apply");

        Assert.Contains("nothing to do", result.Out, StringComparison.Ordinal);
        before.AssertUnchanged(FolderSnapshot.Take(kith.State), "the state folder");
        Assert.Equal(listed.Out, (await kith.SucceedAsync("list", "--json", "--all")).Out);
    }

    [Fact]
    public async Task Apply_with_a_wrong_passphrase_fails_clearly_and_signs_nothing()
    {
        using var kith = new KithWorkspace(Repository.Example("homelab.yaml"));
        await kith.SucceedAsync("init");
        var before = FolderSnapshot.Take(kith.State);
        kith.PassphraseFile = kith.Write("other-passphrase", "not the passphrase at all\n");

        var result = await kith.KithAsync("apply");

        CliRun.AssertCleanFailure(result, 1, "wrong passphrase", "root-ca.key");
        before.AssertUnchanged(FolderSnapshot.Take(kith.State), "the state folder");
        Assert.False(Directory.Exists(Path.Combine(kith.State, "hosts")));
        using var listed = JsonDocument.Parse((await kith.SucceedAsync("list", "--json", "--all")).Out);
        var only = Assert.Single(listed.RootElement.EnumerateArray());
        Assert.Equal("root-ca", only.GetProperty("kind").GetString());
    }

    [Theory]
    [InlineData("directory")]
    [InlineData("missing")]
    public async Task Apply_with_a_passphrase_file_that_is_not_a_file_fails_naming_it_and_signs_nothing(string kind)
    {
        using var kith = new KithWorkspace();
        await kith.SucceedAsync("init");
        var before = FolderSnapshot.Take(kith.State);
        kith.PassphraseFile = kith.File("passphrase-" + kind);
        if (kind == "directory")
        {
            Directory.CreateDirectory(kith.PassphraseFile);
        }

        var result = await kith.KithAsync("apply");

        CliRun.AssertCleanFailure(result, 1, kith.PassphraseFile);
        before.AssertUnchanged(FolderSnapshot.Take(kith.State), "the state folder");
    }
}
