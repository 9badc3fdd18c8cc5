using Kith.Agent;
using Kith.IntegrationTests.Support;

namespace Kith.IntegrationTests.Dns;

public sealed class UpdateTsigKeyCommandTests : IDisposable
{
    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public async Task The_key_file_is_private_holds_32_random_bytes_and_the_printed_settings_use_it()
    {
        var path = folder.File("tsig-acme.key");

        var result = await CliRun.RunAsync("dns", "tsig-key", "Acme-Update", "--out", path);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        var secret = File.ReadAllText(path).Trim();
        Assert.Equal(32, Convert.FromBase64String(secret).Length);
        Assert.Contains($"- {{ name: acme-update, algorithm: hmac-sha256, secret_file: {path} }}", result.Out, StringComparison.Ordinal);
        Assert.Contains($"-y hmac-sha256:acme-update:{secret}", result.Out, StringComparison.Ordinal);
        Assert.Contains($"RFC2136_TSIG_SECRET={secret}", result.Out, StringComparison.Ordinal);
        Assert.Contains($"dns_rfc2136_secret = {secret}", result.Out, StringComparison.Ordinal);

        // The agent reads the file it wrote, with the entry it printed.
        var config = folder.Write("agent.yaml", $"dns_update_keys:\n  - {{ name: acme-update, algorithm: hmac-sha256, secret_file: {path} }}\n");
        var key = Assert.Single(AgentOptions.Load(config, folder.File("agent"), null).DnsUpdateKeys);
        Assert.Equal(Convert.FromBase64String(secret), key.Secret);

        var other = await CliRun.RunAsync("dns", "tsig-key", "acme-update", "--algorithm", "hmac-sha512", "--out", folder.File("other.key"));
        Assert.NotEqual(secret, File.ReadAllText(folder.File("other.key")).Trim());
        Assert.Contains("-y hmac-sha512:acme-update:", other.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_existing_key_file_is_never_overwritten()
    {
        var path = folder.Write("tsig.key", "in use by certbot\n");

        var result = await CliRun.RunAsync("dns", "tsig-key", "acme-update", "--out", path);

        CliRun.AssertCleanFailure(result, 1, path, "exists");
        Assert.Equal("in use by certbot\n", File.ReadAllText(path));
    }

    [Theory]
    [InlineData("acme-update", "hmac-md5", "hmac-sha256 or hmac-sha512")]
    [InlineData("bad name!", "hmac-sha256", "not a key name")]
    public async Task A_bad_algorithm_or_name_is_a_one_line_error(string name, string algorithm, string expected)
    {
        var result = await CliRun.RunAsync("dns", "tsig-key", name, "--algorithm", algorithm, "--out", folder.File("k.key"));

        CliRun.AssertCleanFailure(result, 1, expected);
        Assert.False(File.Exists(folder.File("k.key")));
    }
}
