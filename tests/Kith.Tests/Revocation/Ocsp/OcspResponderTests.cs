using Kith.Pki;
using Kith.Revocation.Ocsp;
using Kith.Storage;
using Kith.Tests.Pki;
using Microsoft.Extensions.Time.Testing;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Ocsp;
using Org.BouncyCastle.Ocsp;
using Org.BouncyCastle.X509;

namespace Kith.Tests.Revocation.Ocsp;

/// <summary>The responder against a real SQLite issuance log; every answer is parsed and its signature checked with BouncyCastle.</summary>
public sealed class OcspResponderTests : IAsyncLifetime
{
    private readonly string folder = Path.Combine(Path.GetTempPath(), "kith-tests", Guid.NewGuid().ToString("N"));
    private readonly TestAuthorities pki = new();
    private readonly FakeTimeProvider time;
    private SqliteCertificateStore store = null!;
    private OcspResponder responder = null!;

    public OcspResponderTests()
    {
        time = new FakeTimeProvider(pki.Now);
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        store = await SqliteCertificateStore.OpenAsync(Path.Combine(folder, "kith.db"), Ct);
        responder = await OcspResponder.StartAsync(pki.Host, "home.arpa", store, time, Ct);
    }

    public async ValueTask DisposeAsync()
    {
        responder.Dispose();
        await store.DisposeAsync();
        pki.Dispose();
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task A_logged_leaf_is_good_for_24_hours_signed_by_the_logged_delegated_signer()
    {
        var serial = await LogLeafAsync();

        var answer = await responder.RespondAsync(TestOcspRequests.For(pki.Host.Certificate, serial), Ct);

        var single = SingleOf(answer, out var basic);
        Assert.Null(single.GetCertStatus()); // BouncyCastle's "good"
        Assert.Equal(time.GetUtcNow().UtcDateTime.AddHours(24), single.NextUpdate!.Value, TimeSpan.FromSeconds(1));
        var signer = basic.GetCerts()[0];
        Assert.Contains("1.3.6.1.5.5.7.3.9", signer.GetExtendedKeyUsage().Select(o => o.Id));
        Assert.NotNull(signer.GetExtensionValue(new DerObjectIdentifier(OcspSigner.NoCheckExtension)));
        Assert.Equal("CN=kith OCSP storage,O=kith home.arpa", signer.SubjectDN.ToString());
        signer.Verify(new X509Certificate(pki.Host.Certificate.RawData).GetPublicKey());
        var logged = await store.FindAsync("storage", Convert.ToHexStringLower(signer.SerialNumber.ToByteArray()), Ct);
        Assert.Equal(CertificateKind.OcspSigning, logged?.Kind);
        Assert.Equal(OcspResponder.OcspSigningService, logged?.Service);
    }

    [Fact]
    public async Task A_serial_not_in_the_log_is_unknown_and_answers_good_soon_after_it_is_logged()
    {
        var serial = SerialNumber.New();
        var request = TestOcspRequests.For(pki.Host.Certificate, serial);
        Assert.IsType<UnknownStatus>(SingleOf(await responder.RespondAsync(request, Ct), out _).GetCertStatus());

        await LogLeafAsync(serial);
        time.Advance(OcspResponder.UnknownReuse);

        Assert.Null(SingleOf(await responder.RespondAsync(request, Ct), out _).GetCertStatus());
    }

    [Fact]
    public async Task Random_serials_are_never_good_and_do_not_grow_the_cache_past_its_bound()
    {
        for (var i = 0; i < 200; i++)
        {
            var answer = await responder.RespondAsync(TestOcspRequests.For(pki.Host.Certificate, SerialNumber.New()), Ct);
            Assert.IsType<UnknownStatus>(SingleOf(answer, out _).GetCertStatus());
        }

        Assert.True(responder.CachedCertificateAnswers <= OcspResponder.MaxCertificateAnswers);
        time.Advance(OcspResponder.UnknownReuse);
        await responder.RefreshAsync(Ct);
        Assert.Equal(0, responder.CachedCertificateAnswers);
    }

    [Fact]
    public async Task A_revocation_shows_at_once_after_Invalidate_with_its_time_and_reason()
    {
        var serial = await LogLeafAsync();
        var request = TestOcspRequests.For(pki.Host.Certificate, serial);
        await responder.PresignAsync(Ct);
        Assert.Null(SingleOf(await responder.RespondAsync(request, Ct), out _).GetCertStatus());
        var revokedAt = time.GetUtcNow().AddMinutes(-3);
        await store.RevokeAsync("storage", SerialNumber.ToHex(serial), revokedAt, RevocationReason.KeyCompromise, Ct);

        // Cached until the store's change is announced, then revoked.
        Assert.Null(SingleOf(await responder.RespondAsync(request, Ct), out _).GetCertStatus());
        responder.Invalidate();

        var revoked = Assert.IsType<RevokedStatus>(SingleOf(await responder.RespondAsync(request, Ct), out _).GetCertStatus());
        Assert.Equal(1, revoked.RevocationReason);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(revokedAt.ToUnixTimeSeconds()).UtcDateTime, revoked.RevocationTime);
    }

    [Fact]
    public async Task A_revoked_certificate_stays_revoked_after_it_expired()
    {
        var serial = await LogLeafAsync();
        await store.RevokeAsync("storage", SerialNumber.ToHex(serial), time.GetUtcNow(), RevocationReason.Superseded, Ct);
        time.Advance(TimeSpan.FromDays(8));

        Assert.IsType<RevokedStatus>(SingleOf(await responder.RespondAsync(TestOcspRequests.For(pki.Host.Certificate, serial), Ct), out _).GetCertStatus());
    }

    [Fact]
    public async Task A_CertID_of_another_issuer_is_unauthorized_and_garbage_is_malformed()
    {
        var serial = await LogLeafAsync();

        Assert.Equal(OcspRespStatus.Unauthorized, new OcspResp(await responder.RespondAsync(TestOcspRequests.For(pki.Root.Certificate, serial), Ct) is var a ? a.Der : []).Status);
        Assert.Equal(OcspRespStatus.MalformedRequest, new OcspResp((await responder.RespondAsync([0x30, 0x03, 0x02], Ct)).Der).Status);
        Assert.Equal(OcspRespStatus.MalformedRequest, new OcspResp((await responder.RespondAsync(TestOcspRequests.For(pki.Host.Certificate, serial, TestOcspRequests.Sha384), Ct)).Der).Status);
    }

    [Fact]
    public async Task A_nonce_is_echoed_in_a_freshly_signed_answer_and_SHA_256_CertIDs_are_answered()
    {
        var serial = await LogLeafAsync();
        var nonce = Convert.FromHexString("00112233445566778899aabbccddeeff");

        var first = await responder.RespondAsync(TestOcspRequests.For(pki.Host.Certificate, serial, TestOcspRequests.Sha256, nonce), Ct);
        time.Advance(TimeSpan.FromSeconds(1));
        var second = await responder.RespondAsync(TestOcspRequests.For(pki.Host.Certificate, serial, TestOcspRequests.Sha256, nonce), Ct);

        SingleOf(first, out var basic);
        var echoed = Asn1OctetString.GetInstance(Asn1OctetString.GetInstance(basic.GetExtensionValue(OcspObjectIdentifiers.PkixOcspNonce)).GetOctets());
        Assert.Equal(nonce, echoed.GetOctets());
        Assert.NotEqual(first.Der, second.Der);
    }

    [Fact]
    public async Task A_repeated_request_without_a_nonce_is_the_same_answer_until_half_its_validity_then_re_signed()
    {
        var serial = await LogLeafAsync();
        var request = TestOcspRequests.For(pki.Host.Certificate, serial);
        var first = await responder.RespondAsync(request, Ct);
        Assert.True(responder.TryAnswerFromCache(request, out var cached));
        Assert.Same(first, cached);

        time.Advance(OcspResponder.Validity / 2);
        Assert.Equal(1, await responder.RefreshAsync(Ct));
        var later = await responder.RespondAsync(request, Ct);

        Assert.NotSame(first, later);
        Assert.Equal(time.GetUtcNow().UtcDateTime, SingleOf(later, out _).ThisUpdate, TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task The_signer_is_renewed_at_two_thirds_of_its_seven_days()
    {
        var first = responder.Signer;
        Assert.InRange(first.NotAfter - first.Certificate.NotBefore.ToUniversalTime(), OcspSigner.Lifetime, OcspSigner.Lifetime + CertificateValidity.Backdate);
        time.Advance(TimeSpan.FromDays(4));
        await responder.RefreshAsync(Ct);
        Assert.Same(first, responder.Signer);

        time.Advance(TimeSpan.FromDays(1));
        await responder.RefreshAsync(Ct);

        Assert.NotSame(first, responder.Signer);
        var signers = await store.ListAsync(new CertificateQuery(Issuer: "storage", Kind: CertificateKind.OcspSigning), Ct);
        Assert.Equal(2, signers.Count);
    }

    private async Task<byte[]> LogLeafAsync(byte[]? serial = null)
    {
        using var issuer = new LeafIssuer(pki.Host, time);
        var issued = issuer.Issue(pki.Request("music.home.arpa"));
        var serialBytes = serial ?? Convert.FromHexString(issued.SerialHex);
        await store.RecordAsync([new CertificateRecord("storage", SerialNumber.ToHex(serialBytes), CertificateKind.Server, issued.Names, "storage", "music", issued.NotBefore, issued.NotAfter, Der: issued.Der)], Ct);
        return serialBytes;
    }

    /// <summary>The one SingleResponse of a successful answer whose signature verifies with the certificate it carries.</summary>
    private static SingleResp SingleOf(OcspAnswer answer, out BasicOcspResp basic)
    {
        var response = new OcspResp(answer.Der);
        Assert.Equal(OcspRespStatus.Successful, response.Status);
        basic = (BasicOcspResp)response.GetResponseObject();
        Assert.True(basic.Verify(basic.GetCerts()[0].GetPublicKey()));
        return Assert.Single(basic.Responses);
    }
}
