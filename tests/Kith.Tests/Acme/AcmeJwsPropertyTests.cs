using CsCheck;
using Kith.Acme;
using Kith.Acme.Jws;

namespace Kith.Tests.Acme;

public sealed class AcmeJwsPropertyTests
{
    private static readonly AcmeAccountKey? NoAccount = null;

    [Fact]
    public void Random_bytes_never_throw_and_never_verify()
    {
        Gen.Byte.Array[0, 600].Sample(body =>
            Assert.False(AcmeJwsVerifier.Verify(body, 4096, _ => NoAccount).IsVerified));
    }

    [Fact]
    public void Random_text_shaped_like_a_jws_never_throws_and_never_verifies()
    {
        var b64 = Gen.String[Gen.Char["AZaz09-_=+/. "], 0, 80];
        Gen.Select(b64, b64, b64).Sample((p, y, s) =>
            Assert.False(AcmeJwsVerifier.Verify(TestJws.Flattened(p, y, s), 4096, _ => NoAccount).IsVerified));
    }

    [Fact]
    public void Changing_any_one_byte_of_a_signed_request_refuses_it()
    {
        var key = TestAcmeKey.Create("P-256");
        byte[] body = TestJws.Request(key);
        Assert.True(AcmeJwsVerifier.Verify(body, 4096, _ => NoAccount).IsVerified);

        Gen.Select(Gen.Int[0, body.Length - 1], Gen.Byte[1, 255]).Sample((index, flip) =>
        {
            byte[] changed = (byte[])body.Clone();
            changed[index] ^= flip;
            var result = AcmeJwsVerifier.Verify(changed, 4096, _ => NoAccount);
            Assert.False(result.IsVerified, $"byte {index} xor {flip} still verified");
            Assert.StartsWith("urn:ietf:params:acme:error:", result.Problem.Type.Urn(), StringComparison.Ordinal);
        }, iter: 3000);
    }
}
