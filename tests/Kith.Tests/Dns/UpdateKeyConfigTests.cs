using Kith.Agent;
using Kith.Dns.Update;

namespace Kith.Tests.Dns;

/// <summary>agent.yaml's dns_update_keys: the TSIG keys the agent's DNS server accepts updates from.</summary>
public sealed class UpdateKeyConfigTests : IDisposable
{
    private const string SecretText = "q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA=";

    private readonly string folder = Directory.CreateTempSubdirectory("kith-update-keys-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void Keys_are_read_with_their_secrets_and_the_algorithm_defaults_to_hmac_sha256()
    {
        var first = SecretFile("acme.key");
        var second = SecretFile("lego.key", Convert.ToBase64String(new byte[64]));
        var config = Config($$"""
            dns_update_keys:
              - { name: Acme-Update., secret_file: {{first}} }
              - { name: lego, algorithm: HMAC-SHA512, secret_file: {{second}} }
            """);

        var options = AgentOptions.Load(config, folder, null);

        Assert.Equal(["acme-update", "lego"], options.DnsUpdateKeys.Select(k => k.Name));
        Assert.Equal([TsigAlgorithms.HmacSha256, TsigAlgorithms.HmacSha512], options.DnsUpdateKeys.Select(k => k.Algorithm));
        Assert.Equal(Convert.FromBase64String(SecretText), options.DnsUpdateKeys[0].Secret);
        Assert.Empty(options.DnsUpdateKeyWarnings);
        Assert.DoesNotContain(SecretText, options.DnsUpdateKeys[0].ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void No_key_means_no_updates_are_accepted()
    {
        Assert.Empty(AgentOptions.Load(Config("machine: alpha\n"), folder, null).DnsUpdateKeys);
    }

    [Fact]
    public void A_missing_secret_file_names_agent_yaml_the_key_and_the_command_that_makes_one()
    {
        var config = Config($"dns_update_keys: [{{ name: acme-update, secret_file: {folder}/absent.key }}]\n");

        var error = Assert.Throws<KithException>(() => AgentOptions.Load(config, folder, null));

        Assert.StartsWith(config, error.Message, StringComparison.Ordinal);
        Assert.Contains("dns_update_keys[0] (acme-update)", error.Message, StringComparison.Ordinal);
        Assert.Contains("no such file", error.Message, StringComparison.Ordinal);
        Assert.Contains("kith dns tsig-key acme-update", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not base64 at all!", "not one line of base64")]
    [InlineData("c2hvcnQ=", "fewer than the 16")]
    public void A_secret_file_that_is_not_a_usable_secret_is_refused(string content, string expected)
    {
        var config = Config($"dns_update_keys: [{{ name: acme-update, secret_file: {SecretFile("bad.key", content)} }}]\n");

        var error = Assert.Throws<KithException>(() => AgentOptions.Load(config, folder, null));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(content, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{ name: acme-update, algorithm: hmac-md5, secret_file: FILE }", "algorithm 'hmac-md5' is not one of hmac-sha256")]
    [InlineData("{ name: acme-update, secret_file: relative.key }", "secret_file must be the absolute path")]
    [InlineData("{ name: 'bad name!', secret_file: FILE }", "name must be a DNS name")]
    [InlineData("{ name: acme-update, secret: FILE }", "unknown field 'secret'")]
    [InlineData("{ name: acme-update, secret_file: FILE }, { name: ACME-update, secret_file: FILE }", "used twice")]
    public void Mistakes_in_an_entry_are_one_line_errors(string entries, string expected)
    {
        var config = Config($"dns_update_keys: [{entries.Replace("FILE", SecretFile("k.key"), StringComparison.Ordinal)}]\n");

        var error = Assert.Throws<KithException>(() => AgentOptions.Load(config, folder, null));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void A_secret_file_others_can_read_is_a_warning()
    {
        var file = SecretFile("open.key");
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);

        var options = AgentOptions.Load(Config($"dns_update_keys: [{{ name: acme-update, secret_file: {file} }}]\n"), folder, null);

        Assert.Single(options.DnsUpdateKeys);
        var warning = Assert.Single(options.DnsUpdateKeyWarnings);
        Assert.Contains("chmod 600", warning, StringComparison.Ordinal);
        Assert.Contains(file, warning, StringComparison.Ordinal);
    }

    private string Config(string yaml)
    {
        var path = Path.Combine(folder, "agent.yaml");
        File.WriteAllText(path, yaml);
        return path;
    }

    private string SecretFile(string name, string content = SecretText)
    {
        var path = Path.Combine(folder, name);
        File.WriteAllText(path, content + "\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return path;
    }
}
