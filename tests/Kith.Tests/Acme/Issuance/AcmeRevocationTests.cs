using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using CsCheck;
using Kith.Acme;
using Kith.Acme.Issuance;
using Kith.Storage;

namespace Kith.Tests.Acme.Issuance;

public sealed class AcmeRevocationTests
{
    private static readonly ECDsa CertificateKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private static readonly X509Certificate2 Certificate = new CertificateRequest("CN=a.example", CertificateKey, HashAlgorithmName.SHA256)
        .CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddDays(7));

    private static readonly string CertificateB64 = TestAcmeKey.B64(Certificate.RawData);

    [Fact]
    public void A_request_without_a_reason_revokes_as_unspecified_and_names_the_serial()
    {
        var request = Accept($$"""{"certificate":"{{CertificateB64}}"}""");

        Assert.Equal(Certificate.RawData, request.CertificateDer.ToArray());
        Assert.Equal(Certificate.SerialNumber.ToLowerInvariant(), request.SerialHex);
        Assert.Equal(RevocationReason.Unspecified, request.Reason);
    }

    [Theory]
    [InlineData(0, RevocationReason.Unspecified)]
    [InlineData(1, RevocationReason.KeyCompromise)]
    [InlineData(3, RevocationReason.AffiliationChanged)]
    [InlineData(4, RevocationReason.Superseded)]
    [InlineData(5, RevocationReason.CessationOfOperation)]
    public void The_reasons_a_subscriber_may_give_are_accepted(int code, RevocationReason reason)
    {
        Assert.Equal(reason, Accept($$"""{"certificate":"{{CertificateB64}}","reason":{{code}}}""").Reason);
    }

    [Theory]
    [InlineData("2")]
    [InlineData("6")]
    [InlineData("7")]
    [InlineData("9")]
    [InlineData("10")]
    [InlineData("-1")]
    [InlineData("4294967296")]
    public void Other_reason_codes_are_bad_revocation_reasons_listing_the_allowed_ones(string code)
    {
        var problem = Refuse($$"""{"certificate":"{{CertificateB64}}","reason":{{code}}}""", AcmeErrorType.BadRevocationReason);

        Assert.Contains("0 (unspecified), 1 (keyCompromise), 3 (affiliationChanged), 4 (superseded), 5 (cessationOfOperation)", problem.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"1\"")]
    [InlineData("1.5")]
    [InlineData("null")]
    public void A_reason_that_is_not_an_integer_is_a_bad_revocation_reason(string value)
    {
        var problem = Refuse($$"""{"certificate":"{{CertificateB64}}","reason":{{value}}}""", AcmeErrorType.BadRevocationReason);

        Assert.Contains("integer", problem.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{}", "no \"certificate\"")]
    [InlineData("""{"certificate":42}""", "no \"certificate\"")]
    [InlineData("[]", "JSON object")]
    [InlineData("{", "not valid JSON")]
    [InlineData("""{"certificate":"AAAA=="}""", "base64url")]
    [InlineData("""{"certificate":"a+b/"}""", "base64url")]
    [InlineData("""{"certificate":""}""", "base64url")]
    [InlineData("""{"certificate":"MAMCAQE"}""", "X.509")]
    public void A_payload_without_a_usable_certificate_is_malformed(string payload, string word)
    {
        var problem = Refuse(payload, AcmeErrorType.Malformed);

        Assert.Contains(word, problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_certificate_with_bytes_after_it_is_malformed()
    {
        var problem = Refuse($$"""{"certificate":"{{TestAcmeKey.B64([.. Certificate.RawData, 0])}}"}""", AcmeErrorType.Malformed);

        Assert.Contains("X.509", problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void The_same_member_twice_is_malformed()
    {
        Refuse($$"""{"certificate":"{{CertificateB64}}","reason":1,"reason":4}""", AcmeErrorType.Malformed);
    }

    [Fact]
    public void The_certificates_own_key_matches_and_any_other_does_not()
    {
        Assert.True(AcmeRevocation.KeyMatchesCertificate(TestCsrs.AccountKeyOf(CertificateKey), Certificate));
        Assert.False(AcmeRevocation.KeyMatchesCertificate(TestCsrs.OtherAccount, Certificate));
    }

    [Fact]
    public void An_rsa_certificate_key_matches_its_jwk()
    {
        using var rsa = RSA.Create(2048);
        using var certificate = new CertificateRequest("CN=a.example", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddDays(1));

        Assert.True(AcmeRevocation.KeyMatchesCertificate(TestCsrs.AccountKeyOf(rsa), certificate));
        Assert.False(AcmeRevocation.KeyMatchesCertificate(TestCsrs.AccountKeyOf(CertificateKey), certificate));
    }

    [Fact]
    public void Random_payloads_never_throw()
    {
        Gen.Byte.Array[0, 300].Sample(bytes =>
            Assert.False(AcmeRevocation.TryRead(bytes, out _, out _), Convert.ToHexString(bytes)));
        var good = Encoding.UTF8.GetBytes($$"""{"certificate":"{{CertificateB64}}","reason":1}""");
        Gen.Select(Gen.Int[0, good.Length - 1], Gen.Byte[1, 255]).Sample((index, flip) =>
        {
            var changed = (byte[])good.Clone();
            changed[index] ^= flip;
            if (AcmeRevocation.TryRead(changed, out var request, out var problem))
            {
                // A flip inside the certificate's signature still parses (nothing here checks who signed it).
                Assert.Contains(request!.Reason, AcmeRevocation.AllowedReasons);
                Assert.Matches("^[0-9a-f]+$", request.SerialHex);
            }
            else
            {
                Assert.True(problem!.Type is AcmeErrorType.Malformed or AcmeErrorType.BadRevocationReason, problem.Detail);
            }
        }, iter: 2000);
    }

    private static AcmeRevocationRequest Accept(string payload)
    {
        var accepted = AcmeRevocation.TryRead(Encoding.UTF8.GetBytes(payload), out var request, out var problem);
        Assert.True(accepted, problem?.Detail);
        return request!;
    }

    private static AcmeProblem Refuse(string payload, AcmeErrorType type)
    {
        var accepted = AcmeRevocation.TryRead(Encoding.UTF8.GetBytes(payload), out var request, out var problem);
        Assert.False(accepted);
        Assert.Null(request);
        Assert.Equal(type, problem!.Type);
        return problem;
    }
}
