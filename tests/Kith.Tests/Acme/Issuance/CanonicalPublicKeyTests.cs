using System.Formats.Asn1;
using System.Security.Cryptography;
using Kith.Acme.Issuance;

namespace Kith.Tests.Acme.Issuance;

public sealed class CanonicalPublicKeyTests
{
    [Theory]
    [InlineData("P-256")]
    [InlineData("P-384")]
    public void An_ec_account_keys_spki_is_the_one_the_platform_writes(string curve)
    {
        using var key = ECDsa.Create(curve == "P-256" ? ECCurve.NamedCurves.nistP256 : ECCurve.NamedCurves.nistP384);

        Assert.Equal(key.ExportSubjectPublicKeyInfo(), TestCsrs.AccountKeyOf(key).ExportSubjectPublicKeyInfo());
        Assert.Equal(key.ExportSubjectPublicKeyInfo(), CanonicalPublicKey.Of(key.ExportSubjectPublicKeyInfo()));
    }

    [Fact]
    public void An_rsa_account_keys_spki_is_the_one_the_platform_writes()
    {
        using var key = RSA.Create(2048);

        Assert.Equal(key.ExportSubjectPublicKeyInfo(), TestCsrs.AccountKeyOf(key).ExportSubjectPublicKeyInfo());
    }

    [Fact]
    public void An_rsa_spki_without_null_parameters_has_the_same_canonical_form()
    {
        using var key = RSA.Create(2048);
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            using (writer.PushSequence())
            {
                writer.WriteObjectIdentifier("1.2.840.113549.1.1.1");
            }

            writer.WriteBitString(key.ExportRSAPublicKey());
        }

        var withoutNull = writer.Encode();

        Assert.NotEqual(key.ExportSubjectPublicKeyInfo(), withoutNull);
        Assert.Equal(key.ExportSubjectPublicKeyInfo(), CanonicalPublicKey.Of(withoutNull));
    }
}
