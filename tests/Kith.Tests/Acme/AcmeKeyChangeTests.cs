using System.Text;
using Kith.Acme;
using Kith.Acme.Jws;

namespace Kith.Tests.Acme;

/// <summary>RFC 8555 §7.3.5: the inner JWS of a key rollover, signed by the new key.</summary>
public sealed class AcmeKeyChangeTests
{
    private const string KeyChangeUrl = "https://ca.example/acme/key-change";

    private readonly TestAcmeKey oldKey = TestAcmeKey.Create("P-256");
    private readonly TestAcmeKey newKey = TestAcmeKey.Create("Ed25519");

    private AcmeJwsRequest Outer(string innerJws)
    {
        using var document = System.Text.Json.JsonDocument.Parse(oldKey.Jwk);
        Assert.True(AcmeJwkParser.TryParse(document.RootElement, out var accountKey, out _));
        string header = TestJws.Header(oldKey, useKid: true, url: KeyChangeUrl);
        var result = AcmeJwsVerifier.Verify(TestJws.Body(oldKey, header, innerJws), 64 * 1024, _ => accountKey);
        Assert.True(result.IsVerified, result.Problem?.Detail);
        return result.Request;
    }

    private string Inner(string? header = null, string? payload = null, TestAcmeKey? signer = null)
    {
        header ??= $$"""{"alg":"EdDSA","jwk":{{newKey.Jwk}},"url":"{{KeyChangeUrl}}"}""";
        payload ??= $$"""{"account":"{{TestJws.Kid}}","oldKey":{{oldKey.Jwk}}}""";
        return Encoding.UTF8.GetString(TestJws.Body(signer ?? newKey, header, payload));
    }

    [Fact]
    public void A_well_formed_key_change_yields_the_new_key()
    {
        var result = AcmeJwsVerifier.VerifyKeyChange(Outer(Inner()));

        Assert.True(result.IsVerified, result.Problem?.Detail);
        Assert.Equal("Ed25519", result.Request.Key.KeyType);
        Assert.Null(result.Request.Nonce);
        Assert.Equal(KeyChangeUrl, result.Request.Url);
    }

    [Fact]
    public void An_inner_jws_with_a_nonce_is_malformed()
    {
        string header = $$"""{"alg":"EdDSA","jwk":{{newKey.Jwk}},"nonce":"n","url":"{{KeyChangeUrl}}"}""";

        var result = AcmeJwsVerifier.VerifyKeyChange(Outer(Inner(header)));

        Assert.Equal(AcmeErrorType.Malformed, result.Problem?.Type);
    }

    [Fact]
    public void An_inner_jws_with_a_kid_is_malformed()
    {
        string header = $$"""{"alg":"EdDSA","kid":"{{TestJws.Kid}}","url":"{{KeyChangeUrl}}"}""";

        Assert.Equal(AcmeErrorType.Malformed, AcmeJwsVerifier.VerifyKeyChange(Outer(Inner(header))).Problem?.Type);
    }

    [Fact]
    public void An_inner_url_other_than_the_outer_url_is_malformed()
    {
        string header = $$"""{"alg":"EdDSA","jwk":{{newKey.Jwk}},"url":"https://ca.example/acme/new-order"}""";

        Assert.Equal(AcmeErrorType.Malformed, AcmeJwsVerifier.VerifyKeyChange(Outer(Inner(header))).Problem?.Type);
    }

    [Fact]
    public void An_inner_payload_naming_another_account_is_malformed()
    {
        string payload = $$"""{"account":"https://ca.example/acme/acct/2","oldKey":{{oldKey.Jwk}}}""";

        Assert.Equal(AcmeErrorType.Malformed, AcmeJwsVerifier.VerifyKeyChange(Outer(Inner(payload: payload))).Problem?.Type);
    }

    [Fact]
    public void An_old_key_that_is_not_the_account_key_is_unauthorized()
    {
        string payload = $$"""{"account":"{{TestJws.Kid}}","oldKey":{{TestAcmeKey.Create("P-256").Jwk}}}""";

        Assert.Equal(AcmeErrorType.Unauthorized, AcmeJwsVerifier.VerifyKeyChange(Outer(Inner(payload: payload))).Problem?.Type);
    }

    [Fact]
    public void An_inner_jws_not_signed_by_the_new_key_is_malformed()
    {
        var result = AcmeJwsVerifier.VerifyKeyChange(Outer(Inner(signer: TestAcmeKey.Create("Ed25519"))));

        Assert.Equal(AcmeErrorType.Malformed, result.Problem?.Type);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("[1]")]
    public void An_outer_payload_that_is_no_jws_is_malformed(string payload)
    {
        Assert.Equal(AcmeErrorType.Malformed, AcmeJwsVerifier.VerifyKeyChange(Outer(payload)).Problem?.Type);
    }
}
