using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Kith.Acme;
using Kith.Acme.Issuance;
using Kith.Tests.Pki;

namespace Kith.Tests.Acme.Issuance;

public sealed class AcmeCsrTests
{
    private static readonly ECDsa P256 = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    [Fact]
    public void A_csr_naming_exactly_the_order_is_accepted_with_its_key()
    {
        var csr = TestCsrs.Dotnet(P256, "a.example", "a.example", "b.example");

        var request = Accept(csr, TestCsrs.Order);

        Assert.Equal(["a.example", "b.example"], request.DnsNames);
        Assert.Empty(request.IpAddresses);
        Assert.Equal(P256.ExportSubjectPublicKeyInfo(), request.SubjectPublicKeyInfo.ToArray());
    }

    [Fact]
    public void The_subject_cn_becomes_the_first_name_so_the_certificate_keeps_it()
    {
        var csr = TestCsrs.Dotnet(P256, "b.example", "a.example", "b.example");

        Assert.Equal(["b.example", "a.example"], Accept(csr, TestCsrs.Order).DnsNames);
    }

    [Fact]
    public void Names_match_without_regard_to_case_and_repeats_are_tolerated_in_the_orders_spelling()
    {
        var csr = TestCsrs.Dotnet(P256, null, "B.Example", "a.EXAMPLE", "b.example");

        Assert.Equal(["b.example", "a.example"], Accept(csr, TestCsrs.Order).DnsNames);
    }

    [Fact]
    public void Addresses_and_names_together_match_an_order_of_both()
    {
        AcmeIdentifier[] order = [new("dns", "a.example"), new("ip", "127.0.0.1"), new("ip", "::1")];
        var csr = TestCsrs.Dotnet(P256, null, "ip:::1", "a.example", "ip:127.0.0.1");

        var request = Accept(csr, order);

        Assert.Equal(["a.example"], request.DnsNames);
        Assert.Equal([IPAddress.IPv6Loopback, IPAddress.Loopback], request.IpAddresses);
    }

    [Fact]
    public void A_wildcard_matches_the_same_wildcard_in_the_order()
    {
        AcmeIdentifier[] order = [new("dns", "*.a.example"), new("dns", "a.example")];

        Assert.Equal(["*.a.example", "a.example"], Accept(TestCsrs.Dotnet(P256, "*.a.example", "*.a.example", "a.example"), order).DnsNames);
    }

    [Theory]
    [InlineData("P-384", "SHA384")]
    [InlineData("P-256", "SHA512")]
    [InlineData("RSA-PKCS1", "SHA256")]
    [InlineData("RSA-PKCS1", "SHA512")]
    [InlineData("RSA-PSS", "SHA256")]
    [InlineData("RSA-PSS", "SHA384")]
    public void Every_accepted_signature_algorithm_verifies(string keyKind, string hashName)
    {
        var hash = new HashAlgorithmName(hashName);
        var subject = new X500DistinguishedName("CN=a.example");
        using var rsa = RSA.Create(2048);
        using var ec = ECDsa.Create(keyKind == "P-384" ? ECCurve.NamedCurves.nistP384 : ECCurve.NamedCurves.nistP256);
        var request = keyKind switch
        {
            "RSA-PKCS1" => new CertificateRequest(subject, rsa, hash, RSASignaturePadding.Pkcs1),
            "RSA-PSS" => new CertificateRequest(subject, rsa, hash, RSASignaturePadding.Pss),
            _ => new CertificateRequest(subject, ec, hash),
        };
        request.CertificateExtensions.Add(TestCsrs.San("a.example", "b.example"));

        Accept(request.CreateSigningRequest(), TestCsrs.Order);
    }

    [Fact]
    public void A_csr_made_by_openssl_req_is_accepted()
    {
        using var folder = new TempDirectory();
        var key = Path.Combine(folder.Path, "key.pem");
        var csr = Path.Combine(folder.Path, "csr.der");
        Assert.Equal(0, OpensslCli.Run("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key).ExitCode);
        var made = OpensslCli.Run("req", "-new", "-key", key, "-subj", "/CN=a.example", "-addext", "subjectAltName=DNS:a.example,DNS:b.example,IP:127.0.0.1",
            "-outform", "DER", "-out", csr);
        Assert.True(made.ExitCode == 0, made.Output);

        var request = Accept(File.ReadAllBytes(csr), [.. TestCsrs.Order, new("ip", "127.0.0.1")]);

        Assert.Equal(["a.example", "b.example"], request.DnsNames);
        Assert.Equal([IPAddress.Loopback], request.IpAddresses);
    }

    [Fact]
    public void Openssl_rsa_pss_is_accepted_with_a_digest_long_salt_and_refused_with_its_default_maximum_salt()
    {
        using var folder = new TempDirectory();
        var key = Path.Combine(folder.Path, "key.pem");
        Assert.Equal(0, OpensslCli.Run("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", key).ExitCode);
        byte[] Make(string name, params string[] sigopts)
        {
            var path = Path.Combine(folder.Path, name);
            string[] arguments = ["req", "-new", "-key", key, "-subj", "/CN=a.example", "-addext", "subjectAltName=DNS:a.example,DNS:b.example",
                "-sigopt", "rsa_padding_mode:pss", .. sigopts.SelectMany(o => new[] { "-sigopt", o }), "-outform", "DER", "-out", path];
            var made = OpensslCli.Run(arguments);
            Assert.True(made.ExitCode == 0, made.Output);
            return File.ReadAllBytes(path);
        }

        Accept(Make("digest.der", "rsa_pss_saltlen:digest"), TestCsrs.Order);
        Refuse(Make("max.der"), TestCsrs.Order, "salt");
    }

    [Fact]
    public void An_empty_csr_is_refused()
    {
        Refuse([], TestCsrs.Order, "empty");
    }

    [Fact]
    public void A_pem_csr_is_refused_asking_for_der()
    {
        var pem = System.Text.Encoding.ASCII.GetBytes(PemEncoding.WriteString("CERTIFICATE REQUEST", TestCsrs.Dotnet(P256, null, "a.example", "b.example")));

        Refuse(pem, TestCsrs.Order, "PEM", "DER");
    }

    [Fact]
    public void Bytes_after_the_csr_are_refused()
    {
        byte[] csr = [.. TestCsrs.Dotnet(P256, null, "a.example", "b.example"), 0x00];

        Refuse(csr, TestCsrs.Order, "1 bytes after its end");
    }

    [Fact]
    public void Bytes_that_are_not_der_are_refused()
    {
        Refuse("0\x07garbage"u8.ToArray(), TestCsrs.Order, "not a valid DER");
    }

    [Fact]
    public void A_version_other_than_v1_is_refused()
    {
        Refuse(TestCsrs.Manual(P256, null, [TestCsrs.San("a.example", "b.example")], version: 1), TestCsrs.Order, "version is 1");
    }

    [Fact]
    public void A_sha1_signature_is_refused_by_name()
    {
        var csr = TestCsrs.Manual(P256, null, [TestCsrs.San("a.example", "b.example")], signatureOid: "1.2.840.10045.4.1", hash: HashAlgorithmName.SHA1);

        Refuse(csr, TestCsrs.Order, "ecdsa-with-SHA1", "not accepted");
    }

    [Fact]
    public void An_unknown_signature_algorithm_is_refused_with_its_oid()
    {
        Refuse(TestCsrs.Manual(P256, null, [TestCsrs.San("a.example", "b.example")], signatureOid: "1.2.3.4"), TestCsrs.Order, "1.2.3.4");
    }

    [Fact]
    public void A_signature_by_another_key_does_not_verify()
    {
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        Refuse(TestCsrs.Manual(P256, null, [TestCsrs.San("a.example", "b.example")], signer: other), TestCsrs.Order, "does not verify");
    }

    [Fact]
    public void An_rsa_signature_algorithm_on_an_ec_key_is_refused()
    {
        Refuse(TestCsrs.Manual(P256, null, [TestCsrs.San("a.example", "b.example")], signatureOid: "1.2.840.113549.1.1.11"), TestCsrs.Order, "does not fit", "EC key");
    }

    [Fact]
    public void A_small_rsa_key_is_refused_with_the_key_checks_reason()
    {
        using var rsa = RSA.Create(1024);

        Refuse(TestCsrs.Dotnet(rsa, null, "a.example", "b.example"), TestCsrs.Order, "public key is refused", "1024 bits is too small");
    }

    [Fact]
    public void A_key_on_an_unaccepted_curve_is_refused()
    {
        using var k1 = ECDsa.Create(ECCurve.CreateFromFriendlyName("secP256k1"));

        Refuse(TestCsrs.Dotnet(k1, null, "a.example", "b.example"), TestCsrs.Order, "public key is refused", "curve");
    }

    [Fact]
    public void The_account_key_as_certificate_key_is_refused()
    {
        var csr = TestCsrs.Dotnet(P256, null, "a.example", "b.example");

        var accepted = AcmeCsr.TryRead(csr, TestCsrs.Order, TestCsrs.AccountKeyOf(P256), out var request, out var problem);

        Assert.False(accepted);
        Assert.Null(request);
        Assert.Equal(AcmeErrorType.BadCsr, problem!.Type);
        Assert.Contains("account key", problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void The_rsa_account_key_as_certificate_key_is_refused()
    {
        using var rsa = RSA.Create(2048);
        var csr = TestCsrs.Dotnet(rsa, null, "a.example", "b.example");

        Assert.False(AcmeCsr.TryRead(csr, TestCsrs.Order, TestCsrs.AccountKeyOf(rsa), out _, out var problem));
        Assert.Contains("account key", problem!.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_csr_without_names_is_refused_asking_for_a_subject_alt_name()
    {
        Refuse(TestCsrs.Dotnet(P256, null), TestCsrs.Order, "no subjectAltName");
    }

    [Fact]
    public void A_csr_naming_its_identifier_only_in_the_cn_is_refused()
    {
        Refuse(TestCsrs.Dotnet(P256, "a.example"), [new("dns", "a.example")], "only in the subject CN", "subjectAltName");
    }

    [Fact]
    public void A_name_the_order_lacks_is_refused_by_name()
    {
        Refuse(TestCsrs.Dotnet(P256, null, "a.example", "b.example", "c.example"), TestCsrs.Order, "'c.example', which the order does not");
    }

    [Fact]
    public void A_name_of_the_order_missing_from_the_csr_is_refused_by_name()
    {
        Refuse(TestCsrs.Dotnet(P256, null, "a.example"), TestCsrs.Order, "lacks 'b.example'");
    }

    [Fact]
    public void A_name_below_an_ordered_wildcard_is_not_the_wildcard()
    {
        Refuse(TestCsrs.Dotnet(P256, null, "x.a.example"), [new("dns", "*.a.example")], "'x.a.example', which the order does not");
    }

    [Fact]
    public void An_address_the_order_lacks_is_refused()
    {
        Refuse(TestCsrs.Dotnet(P256, null, "a.example", "b.example", "ip:127.0.0.2"), TestCsrs.Order, "address 127.0.0.2");
    }

    [Theory]
    [InlineData("uri:https://a.example/", "URI")]
    [InlineData("email:admin@a.example", "rfc822Name")]
    public void Other_subject_alt_name_types_are_refused_by_type(string entry, string word)
    {
        Refuse(TestCsrs.Dotnet(P256, null, "a.example", "b.example", entry), TestCsrs.Order, word, "only dNSName and iPAddress");
    }

    [Fact]
    public void A_cn_that_is_not_one_of_the_names_is_refused()
    {
        Refuse(TestCsrs.Dotnet(P256, "c.example", "a.example", "b.example"), TestCsrs.Order, "subject CN 'c.example'");
    }

    [Fact]
    public void Two_subject_alt_name_extensions_are_refused()
    {
        var csr = TestCsrs.Manual(P256, null, [TestCsrs.San("a.example"), TestCsrs.San("b.example")]);

        Refuse(csr, TestCsrs.Order, "2.5.29.17 twice");
    }

    [Fact]
    public void An_empty_subject_alt_name_is_refused()
    {
        var empty = new X509Extension("2.5.29.17", [0x30, 0x00], critical: false);

        Refuse(TestCsrs.Manual(P256, null, [empty]), TestCsrs.Order, "subjectAltName extension is empty");
    }

    [Fact]
    public void Extensions_kith_never_copies_do_not_refuse_a_csr()
    {
        var csr = TestCsrs.Manual(P256, null,
        [
            TestCsrs.San("a.example", "b.example"),
            new X509BasicConstraintsExtension(true, false, 0, true),
            new X509Extension("1.2.3.4.5", [0x05, 0x00], critical: true),
        ]);

        Accept(csr, TestCsrs.Order);
    }

    private static AcmeCsrRequest Accept(byte[] csr, IReadOnlyList<AcmeIdentifier> order)
    {
        var accepted = AcmeCsr.TryRead(csr, order, TestCsrs.OtherAccount, out var request, out var problem);
        Assert.True(accepted, problem?.Detail);
        Assert.Null(problem);
        return request!;
    }

    private static void Refuse(byte[] csr, IReadOnlyList<AcmeIdentifier> order, params string[] words)
    {
        var accepted = AcmeCsr.TryRead(csr, order, TestCsrs.OtherAccount, out var request, out var problem);
        Assert.False(accepted);
        Assert.Null(request);
        Assert.Equal(AcmeErrorType.BadCsr, problem!.Type);
        Assert.DoesNotContain('\n', problem.Detail);
        foreach (var word in words)
        {
            Assert.True(problem.Detail.Contains(word, StringComparison.Ordinal), $"detail should name '{word}': {problem.Detail}");
        }
    }
}
