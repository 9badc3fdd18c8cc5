using CsCheck;
using Kith.Revocation.Ocsp;
using Kith.Tests.Pki;

namespace Kith.Tests.Revocation.Ocsp;

public class OcspRequestReaderTests
{
    [Fact]
    public void A_request_for_one_serial_is_read_with_its_hash_issuer_hashes_and_serial()
    {
        using var pki = new TestAuthorities();
        var serial = Convert.FromHexString("4a0b1c2d3e4f50617283940a1b2c3d4e");
        var request = OcspRequestReader.Read(TestOcspRequests.For(pki.Host.Certificate, serial, TestOcspRequests.Sha256));

        Assert.NotNull(request);
        var id = Assert.Single(request.Certificates);
        Assert.Equal(OcspHash.Sha256, id.Hash);
        Assert.Equal("4a0b1c2d3e4f50617283940a1b2c3d4e", id.SerialHex);
        Assert.True(new OcspIssuer(pki.Host.Certificate).Matches(id));
        Assert.False(new OcspIssuer(pki.Root.Certificate).Matches(id));
        Assert.Null(request.NonceExtensionValue);
    }

    [Fact]
    public void Random_bytes_are_never_a_request_and_never_throw()
    {
        Gen.Byte.Array[0, 600].Sample(bytes => Assert.Null(OcspRequestReader.Read(bytes)), iter: 20_000);
    }

    [Fact]
    public void Every_truncation_of_a_valid_request_and_trailing_garbage_are_malformed()
    {
        using var pki = new TestAuthorities();
        var valid = TestOcspRequests.For(pki.Host.Certificate, Kith.Pki.SerialNumber.New(), nonce: new byte[16]);
        Assert.NotNull(OcspRequestReader.Read(valid));
        for (var length = 0; length < valid.Length; length++)
        {
            Assert.Null(OcspRequestReader.Read(valid[..length]));
        }

        Assert.Null(OcspRequestReader.Read([.. valid, 0x00]));
        Assert.Null(OcspRequestReader.Read([.. valid, .. valid]));
    }

    [Fact]
    public void A_CertID_hashed_with_SHA_384_is_malformed()
    {
        using var pki = new TestAuthorities();
        Assert.Null(OcspRequestReader.Read(TestOcspRequests.For(pki.Host.Certificate, Kith.Pki.SerialNumber.New(), TestOcspRequests.Sha384)));
    }

    [Fact]
    public void A_request_over_64_KiB_is_malformed_even_when_well_formed()
    {
        using var pki = new TestAuthorities();
        // 2,000 CertIDs: well-formed DER, but over the size limit (and the CertID limit).
        var serials = Enumerable.Range(0, 2_000).Select(_ => Kith.Pki.SerialNumber.New()).ToList();
        var large = TestOcspRequests.For(pki.Host.Certificate, serials);
        Assert.True(large.Length > OcspRequestReader.MaxBytes);
        Assert.Null(OcspRequestReader.Read(large));
    }

    [Theory]
    [InlineData(0, false)]
    [InlineData(1, true)]
    [InlineData(32, true)]
    [InlineData(33, false)]
    public void A_nonce_must_hold_1_to_32_octets(int octets, bool accepted)
    {
        using var pki = new TestAuthorities();
        var request = OcspRequestReader.Read(TestOcspRequests.For(pki.Host.Certificate, Kith.Pki.SerialNumber.New(), nonce: new byte[octets]));
        Assert.Equal(accepted, request is not null);
    }

    [Theory]
    [InlineData("", false)]
    [InlineData("MEIwQDA-MDwwOjAJBgUrDgMCGgUA", true)]
    [InlineData("MEIwQDA%2BMDwwOjAJBgUrDgMCGgUA", true)]
    [InlineData("MEIwQDA+MDwwOjAJBgUrDgMCGgUA", true)]
    [InlineData("MEIwQDA%2", false)]
    [InlineData("MEIw*DA", false)]
    public void A_GET_path_segment_decodes_as_base64_url_encoded_or_not(string segment, bool decodes)
    {
        var buffer = new byte[segment.Length + 3];
        Assert.Equal(decodes, OcspGetRequest.TryDecode(segment, buffer, out var written));
        if (decodes)
        {
            Assert.Equal(Convert.FromBase64String("MEIwQDA+MDwwOjAJBgUrDgMCGgUA"), buffer[..written]);
        }
    }
}
