using System.Text;
using Kith.Acme.Jws;
using Kith.Bench.Acme;

namespace Kith.Tests.Acme;

/// <summary>
/// The bench's ACME load driver signs its requests with its own small signer; kith's verifier must accept
/// them, or every figure the driver reports against kith would be of refusals.
/// </summary>
public sealed class LoadDriverSignerTests
{
    private const string NewAccountUrl = "https://127.0.0.1:8555/acme/new-account";
    private const string OrderUrl = "https://127.0.0.1:8555/acme/order/7";

    [Fact]
    public void The_load_driver_s_new_account_request_verifies_with_its_embedded_jwk()
    {
        using var signer = new AcmeAccountSigner();

        var result = AcmeJwsVerifier.Verify(signer.Sign(NewAccountUrl, "nonce-1", """{"termsOfServiceAgreed":true}"""u8, postAsGet: false), 64 * 1024, _ => null);

        Assert.True(result.IsVerified, result.Problem?.Detail);
        Assert.True(result.Request.HasEmbeddedJwk);
        Assert.Equal("ES256", result.Request.Algorithm);
        Assert.Equal("nonce-1", result.Request.Nonce);
        Assert.Equal(NewAccountUrl, result.Request.Url);
        Assert.Equal("""{"termsOfServiceAgreed":true}""", Encoding.UTF8.GetString(result.Request.Payload));
        Assert.Equal(result.Request.Key.Thumbprint, signer.Thumbprint);
    }

    [Fact]
    public void The_load_driver_s_post_as_get_verifies_with_the_account_key_of_its_kid()
    {
        using var signer = new AcmeAccountSigner();
        var accountKey = AcmeJwsVerifier.Verify(signer.Sign(NewAccountUrl, "nonce-1", "{}"u8, postAsGet: false), 64 * 1024, _ => null).Request!.Key;
        signer.AccountUrl = "https://127.0.0.1:8555/acme/account/1";

        var result = AcmeJwsVerifier.Verify(signer.Sign(OrderUrl, "nonce-2", default, postAsGet: true), 64 * 1024, kid => kid == signer.AccountUrl ? accountKey : null);

        Assert.True(result.IsVerified, result.Problem?.Detail);
        Assert.Equal(signer.AccountUrl, result.Request.Kid);
        Assert.True(result.Request.IsPostAsGet);
        Assert.Equal(OrderUrl, result.Request.Url);
    }

    [Fact]
    public void A_request_of_another_account_key_is_refused_for_the_load_driver_s_kid()
    {
        using var signer = new AcmeAccountSigner();
        using var other = new AcmeAccountSigner();
        var otherKey = AcmeJwsVerifier.Verify(other.Sign(NewAccountUrl, "nonce-1", "{}"u8, postAsGet: false), 64 * 1024, _ => null).Request!.Key;
        signer.AccountUrl = "https://127.0.0.1:8555/acme/account/1";

        var result = AcmeJwsVerifier.Verify(signer.Sign(OrderUrl, "nonce-2", default, postAsGet: true), 64 * 1024, _ => otherKey);

        Assert.False(result.IsVerified);
        Assert.NotNull(result.Problem);
    }
}
