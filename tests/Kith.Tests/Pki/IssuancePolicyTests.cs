using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Kith.Pki;
using Microsoft.Extensions.Time.Testing;

namespace Kith.Tests.Pki;

public class IssuancePolicyTests
{
    [Fact]
    public void A_wildcard_is_refused_unless_the_request_allows_it()
    {
        using var cas = new TestAuthorities();
        using var issuer = Issuer(cas);

        var error = Assert.Throws<PolicyViolationException>(() => issuer.Prepare(cas.Request("*.music.home.arpa")));

        Assert.Equal("names[0]", error.Field);
        Assert.Contains("wildcard", error.Message, StringComparison.Ordinal);
        issuer.Prepare(cas.Request("*.music.home.arpa") with { AllowWildcard = true });
    }

    [Theory]
    [InlineData("Music.home.arpa", "lower-case")]
    [InlineData("music..home.arpa", "empty")]
    [InlineData("-music.home.arpa", "hyphen")]
    [InlineData("music", "two labels")]
    [InlineData("mu*sic.home.arpa", "wildcard")]
    public void A_malformed_dns_name_is_refused_with_the_reason(string name, string keyword)
    {
        using var cas = new TestAuthorities();
        using var issuer = Issuer(cas);

        var error = Assert.Throws<PolicyViolationException>(() => issuer.Prepare(cas.Request(name)));

        Assert.Equal("names[0]", error.Field);
        Assert.Contains(keyword, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_name_listed_twice_is_refused()
    {
        using var cas = new TestAuthorities();
        using var issuer = Issuer(cas);

        var error = Assert.Throws<PolicyViolationException>(() => issuer.Prepare(cas.Request("music.home.arpa", "music.home.arpa")));

        Assert.Equal("names[1]", error.Field);
    }

    [Fact]
    public void A_common_name_that_is_not_one_of_the_sans_is_refused()
    {
        using var cas = new TestAuthorities();
        using var issuer = Issuer(cas);

        var error = Assert.Throws<PolicyViolationException>(() => issuer.Prepare(cas.Request("music.home.arpa") with { CommonName = "storage.home.arpa" }));

        Assert.Equal("commonName", error.Field);
        Assert.Contains("storage.home.arpa", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_common_name_among_the_sans_becomes_the_subject()
    {
        using var cas = new TestAuthorities();
        using var issuer = Issuer(cas);

        using var certificate = X509CertificateLoader.LoadCertificate(issuer.Issue(cas.Request("music.home.arpa", "storage.home.arpa") with { CommonName = "storage.home.arpa" }).Der);

        Assert.Equal("CN=storage.home.arpa", certificate.Subject);
    }

    [Fact]
    public void A_request_without_names_is_refused()
    {
        using var cas = new TestAuthorities();
        using var issuer = Issuer(cas);

        var error = Assert.Throws<PolicyViolationException>(() => issuer.Prepare(cas.Request()));

        Assert.Equal("names", error.Field);
    }

    [Theory]
    [InlineData(-120, 7 * 24 * 60, "notBefore")]
    [InlineData(120, 7 * 24 * 60, "notBefore")]
    [InlineData(0, -1, "notAfter")]
    [InlineData(0, 60 * 24 * 60, "notAfter")]
    public void Validity_outside_the_rules_is_refused(int notBeforeMinutes, int lifetimeMinutes, string field)
    {
        using var cas = new TestAuthorities();
        using var issuer = Issuer(cas);
        var notBefore = cas.Now.AddMinutes(notBeforeMinutes);
        var request = cas.Request("music.home.arpa") with { NotBefore = notBefore, NotAfter = notBefore.AddMinutes(lifetimeMinutes) };

        var error = Assert.Throws<PolicyViolationException>(() => issuer.Prepare(request));

        Assert.Equal(field, error.Field);
    }

    [Fact]
    public void The_host_ca_key_and_the_root_key_are_refused_as_leaf_keys()
    {
        using var cas = new TestAuthorities();
        using var issuer = Issuer(cas);

        var own = Assert.Throws<PolicyViolationException>(() => issuer.Prepare(cas.Request("music.home.arpa") with { SubjectPublicKeyInfo = cas.Host.SubjectPublicKeyInfo }));
        var root = Assert.Throws<PolicyViolationException>(() => issuer.Prepare(cas.Request("music.home.arpa") with { SubjectPublicKeyInfo = cas.Root.SubjectPublicKeyInfo }));

        Assert.Equal("publicKey", own.Field);
        Assert.Contains("CA's own key", root.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_rsa_key_under_2048_bits_is_refused()
    {
        using var cas = new TestAuthorities();
        using var issuer = Issuer(cas);
        using var weak = RSA.Create(1024);

        var error = Assert.Throws<PolicyViolationException>(() => issuer.Prepare(cas.Request("music.home.arpa") with { SubjectPublicKeyInfo = weak.ExportSubjectPublicKeyInfo() }));

        Assert.Equal("publicKey", error.Field);
        Assert.Contains("1024 bits", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_rsa_key_with_a_small_public_exponent_is_refused()
    {
        using var cas = new TestAuthorities();
        using var issuer = Issuer(cas);
        using var rsa = RSA.Create(2048);
        var spki = RsaSpki(rsa.ExportParameters(false).Modulus!, exponent: 3);

        var error = Assert.Throws<PolicyViolationException>(() => issuer.Prepare(cas.Request("music.home.arpa") with { SubjectPublicKeyInfo = spki }));

        Assert.Contains("exponent 3", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_p192_key_is_refused()
    {
        using var cas = new TestAuthorities();
        using var issuer = Issuer(cas);
        var point = new byte[49];
        point[0] = 4;
        var spki = EcSpki("1.2.840.10045.3.1.1", point);

        var error = Assert.Throws<PolicyViolationException>(() => issuer.Prepare(cas.Request("music.home.arpa") with { SubjectPublicKeyInfo = spki }));

        Assert.Contains("P-192", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_malformed_p256_point_is_refused()
    {
        using var cas = new TestAuthorities();
        using var issuer = Issuer(cas);
        var spki = EcSpki("1.2.840.10045.3.1.7", new byte[33]);

        var error = Assert.Throws<PolicyViolationException>(() => issuer.Prepare(cas.Request("music.home.arpa") with { SubjectPublicKeyInfo = spki }));

        Assert.Contains("not a valid uncompressed point", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Garbage_instead_of_a_public_key_is_refused()
    {
        using var cas = new TestAuthorities();
        using var issuer = Issuer(cas);

        var error = Assert.Throws<PolicyViolationException>(() => issuer.Prepare(cas.Request("music.home.arpa") with { SubjectPublicKeyInfo = new byte[] { 0x30, 0x03, 0x01 } }));

        Assert.Equal("publicKey", error.Field);
    }

    [Fact]
    public void A_prepared_certificate_can_be_signed_only_once()
    {
        using var cas = new TestAuthorities();
        using var issuer = Issuer(cas);
        var prepared = issuer.Prepare(cas.Request("music.home.arpa"));

        issuer.Sign(prepared);

        Assert.Throws<InvalidOperationException>(() => issuer.Sign(prepared));
    }

    [Fact]
    public void The_signed_certificate_holds_exactly_the_checked_tbs_bytes()
    {
        using var cas = new TestAuthorities();
        using var issuer = Issuer(cas);
        var prepared = issuer.Prepare(cas.Request("music.home.arpa"));

        var issued = issuer.Sign(prepared);

        var tbs = new AsnReader(issued.Der, AsnEncodingRules.DER).ReadSequence().ReadEncodedValue();
        Assert.True(tbs.Span.SequenceEqual(prepared.Tbs.Span));
    }

    [Fact]
    public void The_common_name_is_the_first_san_and_the_leaf_is_not_a_ca()
    {
        using var cas = new TestAuthorities();
        using var issuer = Issuer(cas);

        using var certificate = X509CertificateLoader.LoadCertificate(issuer.Issue(cas.Request("music.home.arpa", "storage.home.arpa")).Der);

        Assert.Equal("music.home.arpa", certificate.GetNameInfo(X509NameType.SimpleName, false));
        var san = Assert.IsType<X509SubjectAlternativeNameExtension>(certificate.Extensions["2.5.29.17"]);
        Assert.Equal(["music.home.arpa", "storage.home.arpa"], san.EnumerateDnsNames());
        var basic = Assert.IsType<X509BasicConstraintsExtension>(certificate.Extensions["2.5.29.19"]);
        Assert.False(basic.CertificateAuthority);
        Assert.Equal(cas.Host.Certificate.Subject, certificate.Issuer);
    }

    [Fact]
    public void Serials_are_positive_sixteen_octets_unique_and_random()
    {
        using var cas = new TestAuthorities();
        using var issuer = Issuer(cas);
        var serials = Enumerable.Range(0, 500).Select(_ => issuer.Prepare(cas.Request("music.home.arpa")).SerialHex).ToList();

        Assert.Equal(serials.Count, serials.Distinct().Count());
        Assert.All(serials, s => Assert.Equal(32, s.Length));
        Assert.All(serials, s => Assert.InRange(Convert.ToByte(s[..2], 16), 0x40, 0x7F));

        // Every one of the 126 random bits takes both values across 500 serials (a stuck bit would not).
        var bits = serials.Select(Convert.FromHexString).ToList();
        for (var bit = 2; bit < 128; bit++)
        {
            var set = bits.Count(b => (b[bit / 8] & (0x80 >> (bit % 8))) != 0);
            Assert.InRange(set, 1, bits.Count - 1);
        }
    }

    [Fact]
    public void Time_comes_from_the_injected_clock()
    {
        using var cas = new TestAuthorities();
        var clock = new FakeTimeProvider(cas.Now + TimeSpan.FromHours(3));
        using var issuer = new LeafIssuer(cas.Host, clock);

        var error = Assert.Throws<PolicyViolationException>(() => issuer.Prepare(cas.Request("music.home.arpa")));

        Assert.Equal("notBefore", error.Field);
    }

    private static LeafIssuer Issuer(TestAuthorities cas) => new(cas.Host, new FakeTimeProvider(cas.Now));

    private static byte[] RsaSpki(byte[] modulus, int exponent)
    {
        var key = new AsnWriter(AsnEncodingRules.DER);
        using (key.PushSequence())
        {
            key.WriteIntegerUnsigned(modulus);
            key.WriteInteger(exponent);
        }

        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            using (writer.PushSequence())
            {
                writer.WriteObjectIdentifier("1.2.840.113549.1.1.1");
                writer.WriteNull();
            }

            writer.WriteBitString(key.Encode());
        }

        return writer.Encode();
    }

    private static byte[] EcSpki(string curve, byte[] point)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            using (writer.PushSequence())
            {
                writer.WriteObjectIdentifier("1.2.840.10045.2.1");
                writer.WriteObjectIdentifier(curve);
            }

            writer.WriteBitString(point);
        }

        return writer.Encode();
    }
}
