using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CsCheck;
using Kith.Acme;
using Kith.Acme.Issuance;
using Kith.Acme.Jws;

namespace Kith.Tests.Acme.Issuance;

public sealed class ExternalAccountBindingTests
{
    private const string NewAccountUrl = "https://ca.example/acme/new-account";
    private const string Kid = "kid-1";

    private static readonly byte[] MacKey = RandomNumberGenerator.GetBytes(32);
    private static readonly TestAcmeKey Account = TestAcmeKey.Create("P-256");
    private static readonly AcmeAccountKey AccountKey = TestCsrs.ParseJwk(Account.Jwk);

    [Theory]
    [InlineData("HS256")]
    [InlineData("HS384")]
    [InlineData("HS512")]
    public void A_binding_macd_with_the_kids_key_over_the_account_key_is_valid(string alg)
    {
        var problem = Verify(Binding(alg: alg), out var kid);

        Assert.Null(problem);
        Assert.Equal(Kid, kid);
    }

    [Fact]
    public void An_unknown_kid_is_unauthorized_and_named()
    {
        var problem = Refuse(Binding(kid: "nobody"), AcmeErrorType.Unauthorized);

        Assert.Contains("\"nobody\" is unknown", problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_mac_made_with_another_key_is_unauthorized()
    {
        var problem = Refuse(Binding(macKey: RandomNumberGenerator.GetBytes(32)), AcmeErrorType.Unauthorized);

        Assert.Contains("MAC does not verify", problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_truncated_mac_is_unauthorized()
    {
        var problem = Refuse(Binding(truncateMac: true), AcmeErrorType.Unauthorized);

        Assert.Contains("MAC does not verify", problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_binding_of_another_account_key_is_unauthorized()
    {
        var problem = Refuse(Binding(payload: TestAcmeKey.Create("P-256").Jwk), AcmeErrorType.Unauthorized);

        Assert.Contains("another key", problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_binding_for_another_url_is_unauthorized()
    {
        var problem = Refuse(Binding(url: "https://ca.example/acme/new-order"), AcmeErrorType.Unauthorized);

        Assert.Contains("url", problem.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("RS256", "HS256, HS384 or HS512")]
    [InlineData("none", "HS256, HS384 or HS512")]
    [InlineData("hs256", "HS256, HS384 or HS512")]
    public void A_binding_that_is_not_a_mac_is_malformed(string alg, string word)
    {
        Assert.Contains(word, Refuse(Binding(alg: alg), AcmeErrorType.Malformed).Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_nonce_in_the_binding_is_malformed()
    {
        Assert.Contains("nonce", Refuse(Binding(extraHeader: ",\"nonce\":\"abc\""), AcmeErrorType.Malformed).Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_binding_without_kid_is_malformed()
    {
        var header = $$"""{"alg":"HS256","url":"{{NewAccountUrl}}"}""";

        Assert.Contains("kid", Refuse(Binding(header: header), AcmeErrorType.Malformed).Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_payload_that_is_not_a_jwk_is_malformed()
    {
        Assert.Contains("JWK", Refuse(Binding(payload: """{"hello":1}"""), AcmeErrorType.Malformed).Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("\"text\"")]
    [InlineData("""{"protected":"e30","payload":"e30"}""")]
    [InlineData("""{"protected":"e30","payload":"e30","signature":"AA","header":{}}""")]
    [InlineData("""{"protected":"e30=","payload":"e30","signature":"AA"}""")]
    [InlineData("""{"protected":"e30","payload":"e30","signature":"AA"}""")]
    [InlineData("""{"protected":"bm90IGpzb24","payload":"e30","signature":"AA"}""")]
    public void A_binding_not_shaped_as_a_flattened_jws_is_malformed(string json)
    {
        using var document = JsonDocument.Parse(json);

        Assert.Equal(AcmeErrorType.Malformed, Verify(document.RootElement, out _)!.Type);
    }

    [Fact]
    public void Flipping_bits_of_a_valid_binding_never_throws_and_never_verifies()
    {
        var good = Encoding.UTF8.GetBytes(Binding().GetRawText());
        Gen.Select(Gen.Int[0, good.Length - 1], Gen.Byte[1, 255]).Sample((index, flip) =>
        {
            var changed = (byte[])good.Clone();
            changed[index] ^= flip;
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(changed);
            }
            catch (JsonException)
            {
                return;
            }

            using (document)
            {
                Assert.NotNull(Verify(document.RootElement, out _));
            }
        }, iter: 2000);
    }

    private static AcmeProblem? Verify(JsonElement binding, out string? kid) =>
        ExternalAccountBinding.Verify(binding, AccountKey, NewAccountUrl, k => k == Kid ? MacKey : null, out kid);

    private static AcmeProblem Refuse(JsonElement binding, AcmeErrorType type)
    {
        var problem = Verify(binding, out var kid);
        Assert.NotNull(problem);
        Assert.Null(kid);
        Assert.Equal(type, problem.Type);
        return problem;
    }

    private static JsonElement Binding(
        string alg = "HS256",
        string kid = Kid,
        string url = NewAccountUrl,
        string extraHeader = "",
        string? header = null,
        string? payload = null,
        byte[]? macKey = null,
        bool truncateMac = false)
    {
        var protectedB64 = TestAcmeKey.B64(header ?? $$"""{"alg":"{{alg}}","kid":"{{kid}}","url":"{{url}}"{{extraHeader}}}""");
        var payloadB64 = TestAcmeKey.B64(payload ?? Account.Jwk);
        var input = Encoding.ASCII.GetBytes(protectedB64 + "." + payloadB64);
        var mac = alg switch
        {
            "HS384" => HMACSHA384.HashData(macKey ?? MacKey, input),
            "HS512" => HMACSHA512.HashData(macKey ?? MacKey, input),
            _ => HMACSHA256.HashData(macKey ?? MacKey, input),
        };
        if (truncateMac)
        {
            mac = mac[..16];
        }

        using var document = JsonDocument.Parse($$"""{"protected":"{{protectedB64}}","payload":"{{payloadB64}}","signature":"{{TestAcmeKey.B64(mac)}}"}""");
        return document.RootElement.Clone();
    }
}
