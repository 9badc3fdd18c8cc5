using Kith.Files;
using Kith.Reconcile;
using Kith.Tests.Reconcile;

namespace Kith.Tests.Files;

/// <summary>Symlinks someone planted where kith writes keys are never followed.</summary>
public sealed class PlantedSymlinkTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("kith-symlink-").FullName;

    [Fact]
    public void A_symlink_planted_at_the_key_path_is_replaced_by_a_regular_file_and_its_target_is_left_untouched()
    {
        var victim = Path.Combine(root, "victim.txt");
        File.WriteAllText(victim, "precious\n");
        var key = Path.Combine(root, "key.pem");
        File.CreateSymbolicLink(key, victim);

        AtomicFile.WriteText(key, "-----BEGIN PRIVATE KEY-----\n", AtomicFile.PrivateMode);

        Assert.Null(new FileInfo(key).LinkTarget);
        Assert.Equal("-----BEGIN PRIVATE KEY-----\n", File.ReadAllText(key));
        Assert.Equal(AtomicFile.PrivateMode, File.GetUnixFileMode(key));
        Assert.Equal("precious\n", File.ReadAllText(victim));
        Assert.Equal(["key.pem", "victim.txt"], Directory.GetFileSystemEntries(root).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_key_copy_planted_as_a_symlink_is_replaced_and_a_key_copy_into_a_symlinked_folder_is_refused_with_a_warning()
    {
        using var f = new ReconcileFixture();
        var elsewhere = Path.Combine(f.Root, "elsewhere");
        Directory.CreateDirectory(elsewhere);
        Directory.CreateDirectory(Path.Combine(f.Root, "etc"));
        // /etc/music -> elsewhere: whoever made that link would choose where the key goes.
        Directory.CreateSymbolicLink(Path.Combine(f.Root, "etc", "music"), elsewhere);
        var victim = Path.Combine(f.Root, "victim.txt");
        File.WriteAllText(victim, "precious\n");
        Directory.CreateDirectory(Path.Combine(f.Root, "etc", "radio"));
        File.CreateSymbolicLink(Path.Combine(f.Root, "etc", "radio", "key.pem"), victim);
        var music = f.Endpoint("music", "music.home.arpa") with { Key = "/etc/music/key.pem", Cert = "/etc/music/cert.pem" };
        var radio = f.Endpoint("radio", "storage.home.arpa") with { Key = "/etc/radio/key.pem" };

        var result = await f.PassAsync(ReconcileFixture.State(music, radio));

        Assert.Equal(EndpointAction.Issued, result["music"].Action);
        var warning = Assert.Single(result["music"].Warnings ?? []);
        Assert.Contains("key copy not written", warning, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(f.Root, "etc", "music") + " is a symlink", warning, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(elsewhere, "key.pem")));
        // The certificate is public: its copy may go through the link.
        Assert.True(File.Exists(Path.Combine(elsewhere, "cert.pem")));
        // The music folder itself got its key (the endpoint is good; only the copy was refused).
        Assert.True(File.Exists(Path.Combine(f.Folder("music"), "key.pem")));

        Assert.Equal(EndpointAction.Issued, result["radio"].Action);
        Assert.Null(result["radio"].Warnings);
        var radioKey = Path.Combine(f.Root, "etc", "radio", "key.pem");
        Assert.Null(new FileInfo(radioKey).LinkTarget);
        Assert.Equal(f.KeyPem("radio"), File.ReadAllText(radioKey));
        Assert.Equal(AtomicFile.PrivateMode, File.GetUnixFileMode(radioKey));
        Assert.Equal("precious\n", File.ReadAllText(victim));
    }

    [Fact]
    public void An_endpoint_folder_planted_as_a_link_to_a_folder_beside_it_is_swapped_but_that_folder_is_not_deleted()
    {
        var important = Path.Combine(root, ".important");
        Directory.CreateDirectory(important);
        File.WriteAllText(Path.Combine(important, "data"), "keep\n");
        var folder = Path.Combine(root, "web");
        Directory.CreateSymbolicLink(folder, ".important");

        var batch = new EndpointFileBatch();
        batch.Stage(folder, new EndpointFiles("CERT", "KEY", "CHAIN"), FileOwnership.Default);
        batch.Commit();

        Assert.Equal("KEY\n", File.ReadAllText(Path.Combine(folder, "key.pem")));
        Assert.Equal("keep\n", File.ReadAllText(Path.Combine(important, "data")));
    }

    [Theory]
    [InlineData("web", ".web.20261123080000-0123456789abcdef", true)]
    [InlineData("web", ".web.20261123080000-01234567", true)]
    [InlineData("web", ".important", false)]
    [InlineData("web", ".web.2026112308000x-0123456789abcdef", false)]
    [InlineData("web", ".web.20261123080000-0123456789ABCDEF", false)]
    [InlineData("web", ".api.20261123080000-0123456789abcdef", false)]
    [InlineData("web", "../.web.20261123080000-0123456789abcdef", false)]
    public void Only_names_of_the_exact_generation_shape_count_as_generations(string folder, string name, bool expected) =>
        Assert.Equal(expected, EndpointFileBatch.IsGenerationOf(folder, name));

    public void Dispose() => Directory.Delete(root, recursive: true);
}
