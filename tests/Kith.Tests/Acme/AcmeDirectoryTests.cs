using System.Text.Json;
using Kith.Acme;

namespace Kith.Tests.Acme;

public sealed class AcmeDirectoryTests
{
    [Fact]
    public void The_directory_names_every_resource_under_the_base_url()
    {
        var directory = new AcmeDirectory(new Uri("https://storage.home.arpa:14000/acme"), ["storage.home.arpa"]);

        var json = JsonDocument.Parse(directory.ToJson()).RootElement;

        Assert.Equal("https://storage.home.arpa:14000/acme/new-nonce", json.GetProperty("newNonce").GetString());
        Assert.Equal("https://storage.home.arpa:14000/acme/new-account", json.GetProperty("newAccount").GetString());
        Assert.Equal("https://storage.home.arpa:14000/acme/new-order", json.GetProperty("newOrder").GetString());
        Assert.Equal("https://storage.home.arpa:14000/acme/revoke-cert", json.GetProperty("revokeCert").GetString());
        Assert.Equal("https://storage.home.arpa:14000/acme/key-change", json.GetProperty("keyChange").GetString());
        Assert.Equal("https://storage.home.arpa:14000/acme/renewal-info", json.GetProperty("renewalInfo").GetString());
        var meta = json.GetProperty("meta");
        Assert.Equal(["storage.home.arpa"], meta.GetProperty("caaIdentities").EnumerateArray().Select(e => e.GetString()));
        Assert.False(meta.GetProperty("externalAccountRequired").GetBoolean());
        Assert.False(meta.TryGetProperty("website", out _));
    }

    [Fact]
    public void The_website_and_external_account_requirement_appear_in_meta()
    {
        var directory = new AcmeDirectory(new Uri("https://ca.home.arpa/"), [], new Uri("https://ca.home.arpa/about"), externalAccountRequired: true);

        var meta = JsonDocument.Parse(directory.ToJson()).RootElement.GetProperty("meta");

        Assert.Equal("https://ca.home.arpa/about", meta.GetProperty("website").GetString());
        Assert.True(meta.GetProperty("externalAccountRequired").GetBoolean());
        Assert.Equal(new Uri("https://ca.home.arpa/new-order"), directory.UrlOf(AcmeDirectory.NewOrderPath));
    }

    [Theory]
    [InlineData("http://ca.home.arpa/acme")]
    [InlineData("https://ca.home.arpa/acme?x=1")]
    public void A_base_url_that_is_not_plain_https_is_refused(string url)
    {
        var error = Assert.Throws<ArgumentException>(() => new AcmeDirectory(new Uri(url), []));

        Assert.Contains("https", error.Message, StringComparison.Ordinal);
    }
}
