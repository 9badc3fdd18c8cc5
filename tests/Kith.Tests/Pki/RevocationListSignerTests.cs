using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Kith.Pki;
using Kith.Storage;

namespace Kith.Tests.Pki;

/// <summary>CRLs as openssl reads and verifies them.</summary>
public sealed class RevocationListSignerTests : IDisposable
{
    private static readonly DateTimeOffset ThisUpdate = new(2030, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly TestAuthorities authorities = new(ThisUpdate.AddDays(-1));
    private readonly OpensslCli openssl = new();

    [Fact]
    public void Openssl_reads_the_number_issuer_times_serials_and_reasons_of_a_host_ca_crl()
    {
        var crl = RevocationListSigner.Sign(
            authorities.Host,
            [
                new CrlEntry("0a1b", ThisUpdate.AddHours(-2), (int)RevocationReason.KeyCompromise),
                new CrlEntry("4c5d6e", ThisUpdate.AddHours(-1), (int)RevocationReason.Superseded),
                new CrlEntry("7f", ThisUpdate.AddHours(-1), 0),
            ],
            crlNumber: 42,
            ThisUpdate,
            ThisUpdate.AddHours(48));

        var (exit, text) = OpensslCli.Run("crl", "-inform", "DER", "-in", openssl.Write("host.crl", crl), "-noout", "-text");

        Assert.Equal(0, exit);
        Assert.Contains("Version 2", text, StringComparison.Ordinal);
        Assert.Contains("Issuer: CN = kith Host CA storage", text, StringComparison.Ordinal);
        Assert.Contains("Last Update: Mar  1 12:00:00 2030 GMT", text, StringComparison.Ordinal);
        Assert.Contains("Next Update: Mar  3 12:00:00 2030 GMT", text, StringComparison.Ordinal);
        Assert.Matches(@"X509v3 CRL Number:\s+42\b", text);
        Assert.Contains("X509v3 Authority Key Identifier", text, StringComparison.Ordinal);
        Assert.Contains(string.Join(':', authorities.Host.SubjectKeyIdentifier.Select(b => b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture))), text, StringComparison.Ordinal);
        Assert.Matches(@"Serial Number: 0A1B\s+Revocation Date: Mar  1 10:00:00 2030 GMT\s+CRL entry extensions:\s+X509v3 CRL Reason Code:\s+Key Compromise", text);
        Assert.Matches(@"Serial Number: 4C5D6E\s+Revocation Date: Mar  1 11:00:00 2030 GMT\s+CRL entry extensions:\s+X509v3 CRL Reason Code:\s+Superseded", text);
        // RFC 5280 §5.3.1: unspecified is written as no reason code at all.
        Assert.Matches(@"Serial Number: 7F\s+Revocation Date: Mar  1 11:00:00 2030 GMT\s+Signature Algorithm", text);
    }

    [Fact]
    public void Openssl_verifies_an_ecdsa_host_ca_crl_against_the_host_ca_and_not_against_the_root()
    {
        var crl = openssl.Write("host.crl", RevocationListSigner.Sign(authorities.Host, [new CrlEntry("01", ThisUpdate, 1)], 1, ThisUpdate, ThisUpdate.AddHours(48)));
        var host = openssl.Write("host.pem", authorities.Host.Certificate.ExportCertificatePem());
        var root = openssl.Write("root.pem", authorities.Root.Certificate.ExportCertificatePem());

        var good = OpensslCli.Run("crl", "-inform", "DER", "-in", crl, "-noout", "-CAfile", host);
        var wrong = OpensslCli.Run("crl", "-inform", "DER", "-in", crl, "-noout", "-CAfile", root);

        Assert.Equal(0, good.ExitCode);
        Assert.Contains("verify OK", good.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("verify OK", wrong.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Openssl_verifies_an_rsa_root_crl_and_rejects_it_once_a_byte_of_the_list_changed()
    {
        var (certificate, key) = RootCa.Create("home.arpa", KeyAlgorithm.Rsa3072, TimeSpan.FromDays(3650), ThisUpdate.AddDays(-1));
        using var rsaRoot = new CertificateAuthority("root", certificate, key);
        var der = RevocationListSigner.Sign(rsaRoot, [new CrlEntry("4000000000000000000000000000000a", ThisUpdate, 5)], 7, ThisUpdate, ThisUpdate.AddDays(90));
        var root = openssl.Write("rsa-root.pem", certificate.ExportCertificatePem());
        var tampered = (byte[])der.Clone();
        int serialAt = der.AsSpan().IndexOf(Convert.FromHexString("4000000000000000000000000000000a"));
        tampered[serialAt + 15] ^= 0x01;

        var good = OpensslCli.Run("crl", "-inform", "DER", "-in", openssl.Write("root.crl", der), "-noout", "-CAfile", root, "-crlnumber");
        var bad = OpensslCli.Run("crl", "-inform", "DER", "-in", openssl.Write("tampered.crl", tampered), "-noout", "-CAfile", root);

        Assert.Equal(0, good.ExitCode);
        Assert.Contains("verify OK", good.Output, StringComparison.Ordinal);
        Assert.Contains("crlNumber=0x07", good.Output, StringComparison.Ordinal);
        // openssl 3.0 exits 0 after a failed CRL signature check: the words are what tells.
        Assert.DoesNotContain("verify OK", bad.Output, StringComparison.Ordinal);
        Assert.Contains("verify failure", bad.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(300)]
    public void The_signed_list_is_byte_for_byte_what_dotnets_crl_builder_writes(int count)
    {
        var entries = Enumerable.Range(0, count)
            .Select(i => new CrlEntry(SerialNumber.ToHex(SerialNumber.New()), ThisUpdate.AddMinutes(-i), new[] { 0, 1, 3, 4, 5, 9 }[i % 6]))
            .Append(new CrlEntry("7f", new DateTimeOffset(2051, 1, 1, 0, 0, 0, TimeSpan.Zero), 1)) // GeneralizedTime from 2050
            .ToList();
        var builder = new CertificateRevocationListBuilder();
        foreach (var entry in entries)
        {
            builder.AddEntry(Convert.FromHexString(entry.SerialHex), entry.RevokedAt, entry.ReasonCode == 0 ? null : (X509RevocationReason)entry.ReasonCode);
        }

        var expected = builder.Build(
            authorities.Host.Certificate.SubjectName,
            X509SignatureGenerator.CreateForECDsa(authorities.HostKey),
            new System.Numerics.BigInteger(9),
            ThisUpdate.AddHours(48),
            HashAlgorithmName.SHA256,
            X509AuthorityKeyIdentifierExtension.CreateFromSubjectKeyIdentifier(authorities.Host.SubjectKeyIdentifier),
            ThisUpdate);

        var actual = RevocationListSigner.Sign(authorities.Host, entries, 9, ThisUpdate, ThisUpdate.AddHours(48));

        // ECDSA signatures differ on every signing: the signed part (TBSCertList) and the algorithm must not.
        Assert.Equal(Convert.ToHexString(SignedPart(expected)), Convert.ToHexString(SignedPart(actual)));
    }

    [Fact]
    public void An_empty_crl_is_valid()
    {
        var crl = openssl.Write("empty.crl", RevocationListSigner.Sign(authorities.Root, [], 1, ThisUpdate, ThisUpdate.AddDays(90)));

        var (exit, text) = OpensslCli.Run("crl", "-inform", "DER", "-in", crl, "-noout", "-text", "-CAfile", openssl.Write("root.pem", authorities.Root.Certificate.ExportCertificatePem()));

        Assert.Equal(0, exit);
        Assert.Contains("No Revoked Certificates", text, StringComparison.Ordinal);
        Assert.Contains("verify OK", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Sign_refuses_a_next_update_not_after_this_update()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => RevocationListSigner.Sign(authorities.Host, [], 1, ThisUpdate, ThisUpdate));

        Assert.Equal("nextUpdate", ex.ParamName);
    }

    private static byte[] SignedPart(byte[] crl)
    {
        var outer = new AsnReader(crl, AsnEncodingRules.DER).ReadSequence();
        var tbs = outer.ReadEncodedValue().ToArray();
        return [.. tbs, .. outer.ReadEncodedValue().ToArray()];
    }

    public void Dispose()
    {
        authorities.Dispose();
        openssl.Dispose();
    }
}
