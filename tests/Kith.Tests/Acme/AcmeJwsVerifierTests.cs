using System.Security.Cryptography;
using System.Text;
using Kith.Acme;
using Kith.Acme.Jws;

namespace Kith.Tests.Acme;

public sealed class AcmeJwsVerifierTests
{
    private const int Limit = 64 * 1024;

    public static TheoryData<string> KeyTypes => ["P-256", "P-384", "RSA", "Ed25519"];

    private static AcmeJwsResult Verify(byte[] body, Func<string, AcmeAccountKey?>? lookup = null) =>
        AcmeJwsVerifier.Verify(body, Limit, lookup ?? (_ => null));

    private static void AssertRefused(AcmeJwsResult result, AcmeErrorType problemType)
    {
        Assert.False(result.IsVerified, "the request was accepted");
        Assert.Equal(problemType, result.Problem.Type);
        Assert.False(string.IsNullOrWhiteSpace(result.Problem.Detail));
    }

    private static AcmeAccountKey ParseKey(string jwk)
    {
        using var document = System.Text.Json.JsonDocument.Parse(jwk);
        Assert.True(AcmeJwkParser.TryParse(document.RootElement, out var key, out var problem), problem?.Detail);
        return key!;
    }

    [Theory]
    [MemberData(nameof(KeyTypes))]
    public void A_request_signed_with_an_embedded_jwk_verifies(string keyType)
    {
        var key = TestAcmeKey.Create(keyType);

        var result = Verify(TestJws.Request(key));

        Assert.True(result.IsVerified, result.Problem?.Detail);
        Assert.Equal(key.Alg, result.Request.Algorithm);
        Assert.Equal("n0nce", result.Request.Nonce);
        Assert.Equal(TestJws.Url, result.Request.Url);
        Assert.True(result.Request.HasEmbeddedJwk);
        Assert.Null(result.Request.Kid);
        Assert.False(result.Request.IsPostAsGet);
        Assert.Equal("""{"termsOfServiceAgreed":true}""", Encoding.UTF8.GetString(result.Request.Payload));
        Assert.Equal(ParseKey(key.Jwk).Thumbprint, result.Request.Key.Thumbprint);
    }

    [Theory]
    [MemberData(nameof(KeyTypes))]
    public void A_request_signed_for_a_kid_verifies_with_the_account_key(string keyType)
    {
        var key = TestAcmeKey.Create(keyType);
        var accountKey = ParseKey(key.Jwk);

        var result = Verify(TestJws.Request(key, useKid: true), kid => kid == TestJws.Kid ? accountKey : null);

        Assert.True(result.IsVerified, result.Problem?.Detail);
        Assert.Equal(TestJws.Kid, result.Request.Kid);
        Assert.False(result.Request.HasEmbeddedJwk);
        Assert.Same(accountKey, result.Request.Key);
    }

    [Fact]
    public void A_kid_of_no_account_is_refused_as_accountDoesNotExist()
    {
        var key = TestAcmeKey.Create("P-256");

        AssertRefused(Verify(TestJws.Request(key, useKid: true)), AcmeErrorType.AccountDoesNotExist);
    }

    [Fact]
    public void A_kid_request_signed_by_another_key_is_refused()
    {
        var signer = TestAcmeKey.Create("P-256");
        var accountKey = ParseKey(TestAcmeKey.Create("P-256").Jwk);

        AssertRefused(Verify(TestJws.Request(signer, useKid: true), _ => accountKey), AcmeErrorType.Malformed);
    }

    [Fact]
    public void An_empty_payload_is_post_as_get()
    {
        var key = TestAcmeKey.Create("P-256");

        var result = Verify(TestJws.Request(key, payloadJson: ""));

        Assert.True(result.IsVerified, result.Problem?.Detail);
        Assert.True(result.Request.IsPostAsGet);
        Assert.Empty(result.Request.Payload);
    }

    [Theory]
    [InlineData("none")]
    [InlineData("HS256")]
    [InlineData("PS256")]
    [InlineData("ES512")]
    [InlineData("es256")]
    public void An_unsupported_alg_is_refused_with_the_supported_list(string alg)
    {
        var key = TestAcmeKey.Create("P-256");

        var result = Verify(TestJws.Body(key, TestJws.Header(key, alg: alg)));

        AssertRefused(result, AcmeErrorType.BadSignatureAlgorithm);
        Assert.Equal(["ES256", "ES384", "RS256", "EdDSA"], result.Problem!.Algorithms!);
    }

    [Theory]
    [InlineData("P-256", "ES384")]
    [InlineData("P-384", "ES256")]
    [InlineData("RSA", "ES256")]
    [InlineData("Ed25519", "RS256")]
    [InlineData("P-256", "EdDSA")]
    public void An_alg_that_does_not_fit_the_key_is_refused(string keyType, string alg)
    {
        var key = TestAcmeKey.Create(keyType);

        AssertRefused(Verify(TestJws.Body(key, TestJws.Header(key, alg: alg))), AcmeErrorType.BadSignatureAlgorithm);
    }

    [Fact]
    public void Both_jwk_and_kid_is_malformed()
    {
        var key = TestAcmeKey.Create("P-256");

        var result = Verify(TestJws.Body(key, TestJws.Header(key, extra: $",\"kid\":\"{TestJws.Kid}\"")));

        AssertRefused(result, AcmeErrorType.Malformed);
        Assert.Contains("exactly one", result.Problem!.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Neither_jwk_nor_kid_is_malformed()
    {
        var key = TestAcmeKey.Create("P-256");

        AssertRefused(Verify(TestJws.Body(key, """{"alg":"ES256","nonce":"n","url":"https://ca.example/x"}""")), AcmeErrorType.Malformed);
    }

    [Theory]
    [InlineData("""{"alg":"ES256","kid":"https://ca.example/acme/acct/1","url":"https://ca.example/x"}""")]
    [InlineData("""{"alg":"ES256","kid":"https://ca.example/acme/acct/1","nonce":"","url":"https://ca.example/x"}""")]
    [InlineData("""{"alg":"ES256","kid":"https://ca.example/acme/acct/1","nonce":7,"url":"https://ca.example/x"}""")]
    [InlineData("""{"alg":"ES256","kid":"https://ca.example/acme/acct/1","nonce":"n"}""")]
    [InlineData("""{"alg":"ES256","kid":"https://ca.example/acme/acct/1","nonce":"n","url":null}""")]
    [InlineData("""{"alg":"ES256","kid":"","nonce":"n","url":"https://ca.example/x"}""")]
    [InlineData("""{"kid":"https://ca.example/acme/acct/1","nonce":"n","url":"https://ca.example/x"}""")]
    public void A_header_without_nonce_url_kid_or_alg_is_malformed(string header)
    {
        var key = TestAcmeKey.Create("P-256");
        var accountKey = ParseKey(key.Jwk);

        AssertRefused(Verify(TestJws.Body(key, header), _ => accountKey), AcmeErrorType.Malformed);
    }

    [Theory]
    [InlineData(",\"crit\":[\"exp\"],\"exp\":1")]
    [InlineData(",\"crit\":[]")]
    [InlineData(",\"b64\":false,\"crit\":[\"b64\"]")]
    [InlineData(",\"b64\":false")]
    public void Critical_extensions_and_unencoded_payloads_are_malformed(string extra)
    {
        var key = TestAcmeKey.Create("P-256");

        AssertRefused(Verify(TestJws.Body(key, TestJws.Header(key, extra: extra))), AcmeErrorType.Malformed);
    }

    [Fact]
    public void Unknown_header_members_that_are_not_critical_are_ignored()
    {
        var key = TestAcmeKey.Create("P-256");

        Assert.True(Verify(TestJws.Body(key, TestJws.Header(key, extra: ",\"typ\":\"JOSE\""))).IsVerified);
    }

    [Fact]
    public void A_duplicate_member_in_the_protected_header_is_malformed()
    {
        var key = TestAcmeKey.Create("P-256");

        var result = Verify(TestJws.Body(key, TestJws.Header(key, extra: ",\"url\":\"https://evil.example/\"")));

        AssertRefused(result, AcmeErrorType.Malformed);
    }

    [Fact]
    public void A_duplicate_member_in_the_body_is_malformed()
    {
        var key = TestAcmeKey.Create("P-256");
        string body = Encoding.UTF8.GetString(TestJws.Request(key));

        AssertRefused(Verify(Encoding.UTF8.GetBytes(body.Replace("}", ",\"payload\":\"\"}", StringComparison.Ordinal))), AcmeErrorType.Malformed);
    }

    [Theory]
    [InlineData("protected")]
    [InlineData("payload")]
    [InlineData("signature")]
    public void Base64_padding_or_standard_alphabet_is_malformed(string member)
    {
        var key = TestAcmeKey.Create("P-256");
        string header = TestAcmeKey.B64(TestJws.Header(key) + " ");
        string payload = TestAcmeKey.B64("{}");
        string signature = TestAcmeKey.B64(key.Sign(Encoding.ASCII.GetBytes(header + "." + payload)));
        (string p, string y, string s) = member switch
        {
            "protected" => (header + "=", payload, signature),
            "payload" => (header, payload + "=", signature),
            _ => (header, payload, signature + "=="),
        };
        Assert.True(Verify(TestJws.Flattened(header, payload, signature)).IsVerified, "the unmodified request must verify");

        AssertRefused(Verify(TestJws.Flattened(p, y, s)), AcmeErrorType.Malformed);
        AssertRefused(Verify(TestJws.Flattened(p.Replace('-', '+').Replace('_', '/') + "+", y, s)), AcmeErrorType.Malformed);
    }

    [Fact]
    public void A_tampered_payload_or_protected_header_fails_verification()
    {
        var key = TestAcmeKey.Create("P-256");
        string header = TestAcmeKey.B64(TestJws.Header(key));
        string payload = TestAcmeKey.B64("""{"onlyReturnExisting":false}""");
        string signature = TestAcmeKey.B64(key.Sign(Encoding.ASCII.GetBytes(header + "." + payload)));

        string otherPayload = TestAcmeKey.B64("""{"onlyReturnExisting":true}""");
        string otherHeader = TestAcmeKey.B64(TestJws.Header(key, url: "https://ca.example/acme/revoke-cert"));

        AssertRefused(Verify(TestJws.Flattened(header, otherPayload, signature)), AcmeErrorType.Malformed);
        AssertRefused(Verify(TestJws.Flattened(otherHeader, payload, signature)), AcmeErrorType.Malformed);
        AssertRefused(Verify(TestJws.Flattened(header, "", signature)), AcmeErrorType.Malformed);
    }

    [Theory]
    [MemberData(nameof(KeyTypes))]
    public void A_flipped_signature_bit_fails_verification(string keyType)
    {
        var key = TestAcmeKey.Create(keyType);
        string header = TestAcmeKey.B64(TestJws.Header(key));
        string payload = TestAcmeKey.B64("{}");
        byte[] signature = key.Sign(Encoding.ASCII.GetBytes(header + "." + payload));
        signature[signature.Length / 2] ^= 0x01;

        AssertRefused(Verify(TestJws.Flattened(header, payload, TestAcmeKey.B64(signature))), AcmeErrorType.Malformed);
    }

    [Fact]
    public void An_ecdsa_signature_in_der_form_is_refused()
    {
        var key = TestAcmeKey.Ec(ECCurve.NamedCurves.nistP256, "P-256", "ES256", HashAlgorithmName.SHA256, der: true);

        AssertRefused(Verify(TestJws.Request(key)), AcmeErrorType.Malformed);
    }

    [Fact]
    public void Ec_coordinates_of_the_wrong_length_are_a_bad_public_key()
    {
        var key = TestAcmeKey.Create("P-256");
        using var jwk = System.Text.Json.JsonDocument.Parse(key.Jwk);
        byte[] x = System.Buffers.Text.Base64Url.DecodeFromChars(jwk.RootElement.GetProperty("x").GetString()!);
        string y = jwk.RootElement.GetProperty("y").GetString()!;
        var shortX = key.WithJwk($$"""{"kty":"EC","crv":"P-256","x":"{{TestAcmeKey.B64(x[1..])}}","y":"{{y}}"}""");
        var longX = key.WithJwk($$"""{"kty":"EC","crv":"P-256","x":"{{TestAcmeKey.B64([0, .. x])}}","y":"{{y}}"}""");

        AssertRefused(Verify(TestJws.Request(shortX)), AcmeErrorType.BadPublicKey);
        AssertRefused(Verify(TestJws.Request(longX)), AcmeErrorType.BadPublicKey);
    }

    [Fact]
    public void An_ec_point_not_on_the_curve_is_a_bad_public_key()
    {
        var key = TestAcmeKey.Create("P-256");
        using var jwk = System.Text.Json.JsonDocument.Parse(key.Jwk);
        string x = jwk.RootElement.GetProperty("x").GetString()!;
        byte[] y = System.Buffers.Text.Base64Url.DecodeFromChars(jwk.RootElement.GetProperty("y").GetString()!);
        y[^1] ^= 0x01;
        var offCurve = key.WithJwk($$"""{"kty":"EC","crv":"P-256","x":"{{x}}","y":"{{TestAcmeKey.B64(y)}}"}""");

        AssertRefused(Verify(TestJws.Request(offCurve)), AcmeErrorType.BadPublicKey);
    }

    [Fact]
    public void An_rsa_key_of_1024_bits_is_a_bad_public_key()
    {
        var result = Verify(TestJws.Request(TestAcmeKey.Rsa(1024)));

        AssertRefused(result, AcmeErrorType.BadPublicKey);
        Assert.Contains("1024 bits", result.Problem!.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"kty":"oct","k":"c2VjcmV0"}""", AcmeErrorType.Malformed)]
    [InlineData("""{"kty":"EC","crv":"P-521","x":"AA","y":"AA"}""", AcmeErrorType.BadPublicKey)]
    [InlineData("""{"kty":"EC","crv":"secp256k1","x":"AA","y":"AA"}""", AcmeErrorType.BadPublicKey)]
    [InlineData("""{"kty":"OKP","crv":"X25519","x":"AA"}""", AcmeErrorType.BadPublicKey)]
    [InlineData("""{"kty":"OKP","crv":"Ed25519","x":"AAAA"}""", AcmeErrorType.BadPublicKey)]
    [InlineData("""{"kty":"DSA"}""", AcmeErrorType.BadPublicKey)]
    [InlineData("""{"crv":"P-256"}""", AcmeErrorType.Malformed)]
    [InlineData("""["kty","EC"]""", AcmeErrorType.Malformed)]
    [InlineData("\"EC\"", AcmeErrorType.Malformed)]
    public void Unsupported_or_broken_jwks_are_refused(string jwk, AcmeErrorType problemType)
    {
        var key = TestAcmeKey.Create("P-256").WithJwk(jwk);

        AssertRefused(Verify(TestJws.Request(key)), problemType);
    }

    [Fact]
    public void A_jwk_with_private_members_is_malformed()
    {
        var key = TestAcmeKey.Create("P-256");
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        string withD = key.Jwk.TrimEnd('}') + ",\"d\":\"" + TestAcmeKey.B64(ecdsa.ExportParameters(true).D!) + "\"}";

        var result = Verify(TestJws.Request(key.WithJwk(withD)));

        AssertRefused(result, AcmeErrorType.Malformed);
        Assert.Contains("\"d\"", result.Problem!.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("\"protected\"")]
    [InlineData("42")]
    [InlineData("null")]
    [InlineData("")]
    [InlineData("{")]
    [InlineData("{\"protected\":\"e30\",\"payload\":\"\",\"signature\":\"AA\"} x")]
    [InlineData("{\"protected\":\"e30\",\"payload\":\"\"}")]
    [InlineData("{\"protected\":\"e30\",\"payload\":\"\",\"signature\":1}")]
    [InlineData("{\"protected\":\"\",\"payload\":\"\",\"signature\":\"\"}")]
    [InlineData("{\"protected\":\"W10\",\"payload\":\"\",\"signature\":\"\"}")]
    [InlineData("{\"signatures\":[{\"protected\":\"e30\",\"signature\":\"AA\"}],\"payload\":\"\"}")]
    public void Bodies_that_are_not_a_flattened_jws_object_are_malformed(string body)
    {
        AssertRefused(Verify(Encoding.UTF8.GetBytes(body)), AcmeErrorType.Malformed);
    }

    [Fact]
    public void Invalid_utf8_inside_a_json_string_is_malformed()
    {
        byte[] body = TestJws.Flattened("e30", "", "AA");
        body[2] = 0xBB;

        AssertRefused(Verify(body), AcmeErrorType.Malformed);
    }

    [Fact]
    public void An_unprotected_header_member_is_malformed()
    {
        var key = TestAcmeKey.Create("P-256");
        string header = TestAcmeKey.B64(TestJws.Header(key));
        string signature = TestAcmeKey.B64(key.Sign(Encoding.ASCII.GetBytes(header + ".")));

        var result = Verify(TestJws.Flattened(header, "", signature, extra: ",\"header\":{\"kid\":\"x\"}"));

        AssertRefused(result, AcmeErrorType.Malformed);
        Assert.Contains("\"header\"", result.Problem!.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_body_over_the_size_limit_is_refused_before_parsing()
    {
        byte[] body = TestJws.Request(TestAcmeKey.Create("P-256"));

        Assert.True(AcmeJwsVerifier.Verify(body, body.Length, _ => null).IsVerified);
        AssertRefused(AcmeJwsVerifier.Verify(body, body.Length - 1, _ => null), AcmeErrorType.Malformed);
    }

    [Fact]
    public void The_url_must_equal_the_request_url_exactly()
    {
        var request = Verify(TestJws.Request(TestAcmeKey.Create("P-256"))).Request!;

        Assert.True(request.UrlMatches(TestJws.Url));
        Assert.Null(request.CheckUrl(TestJws.Url));
        Assert.False(request.UrlMatches(TestJws.Url + "/"));
        Assert.False(request.UrlMatches("https://CA.example/acme/new-order"));
        Assert.Equal(AcmeErrorType.Unauthorized, request.CheckUrl("https://ca.example:443/acme/new-order")!.Type);
    }
}
