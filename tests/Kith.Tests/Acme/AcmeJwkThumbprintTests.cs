using System.Text.Json;
using Kith.Acme;
using Kith.Acme.Jws;

namespace Kith.Tests.Acme;

public sealed class AcmeJwkThumbprintTests
{
    // RFC 7638 §3.1: the example RSA key, with members that the thumbprint must ignore.
    private const string Rfc7638Key = """
        {
          "kty": "RSA",
          "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
          "e": "AQAB",
          "alg": "RS256",
          "kid": "2011-04-29"
        }
        """;

    private static AcmeAccountKey Parse(string jwk)
    {
        using var document = JsonDocument.Parse(jwk);
        Assert.True(AcmeJwkParser.TryParse(document.RootElement, out var key, out var problem), problem?.Detail);
        return key!;
    }

    [Fact]
    public void The_rfc_7638_example_key_has_the_published_thumbprint()
    {
        var key = Parse(Rfc7638Key);

        Assert.Equal("NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs", key.Thumbprint);
        Assert.Equal("RSA", key.KeyType);
        Assert.StartsWith("""{"e":"AQAB","kty":"RSA","n":"0vx7""", key.CanonicalJwk, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("P-256")]
    [InlineData("P-384")]
    [InlineData("Ed25519")]
    public void The_thumbprint_ignores_member_order_and_optional_members(string keyType)
    {
        string jwk = TestAcmeKey.Create(keyType).Jwk;
        using var document = JsonDocument.Parse(jwk);
        string reversed = string.Join(", ", document.RootElement.EnumerateObject().Reverse().Select(m => $"\"{m.Name}\": {m.Value.GetRawText()}"));
        string reordered = "{ \"use\": \"sig\", " + reversed + " }";

        var key = Parse(jwk);

        Assert.Equal(key.Thumbprint, Parse(reordered).Thumbprint);
        Assert.Equal(43, key.Thumbprint.Length);
        Assert.StartsWith("{\"crv\":", key.CanonicalJwk, StringComparison.Ordinal);
    }

    [Fact]
    public void Different_keys_have_different_thumbprints()
    {
        Assert.NotEqual(Parse(TestAcmeKey.Create("P-256").Jwk).Thumbprint, Parse(TestAcmeKey.Create("P-256").Jwk).Thumbprint);
    }

    [Fact]
    public void An_rsa_modulus_with_a_leading_zero_octet_is_refused()
    {
        using var original = JsonDocument.Parse(Rfc7638Key);
        string n = original.RootElement.GetProperty("n").GetString()!;
        string nWithZero = TestAcmeKey.B64([0, .. System.Buffers.Text.Base64Url.DecodeFromChars(n)]);
        string padded = Rfc7638Key.Replace(n, nWithZero, StringComparison.Ordinal);
        using var document = JsonDocument.Parse(padded);

        Assert.False(AcmeJwkParser.TryParse(document.RootElement, out _, out var problem));
        Assert.Equal(AcmeErrorType.BadPublicKey, problem!.Type);
    }
}
