using Kith.Pki;
using Kith.Storage;

namespace Kith.Revocation.Ocsp;

/// <summary>
/// The OCSP responder of one Host CA (docs/ocsp.md). Statuses come from the issuance log: a serial not in it is
/// unknown, never good; a revoked one is revoked with its time and reason, also after it expired. Answers are
/// signed by a delegated <see cref="OcspSigner"/> and kept in two bounded caches: by CertID (pre-signed for every
/// unexpired certificate, re-signed by <see cref="RefreshAsync"/> when half of their <see cref="Validity"/> is
/// gone) and by the exact request bytes, so a repeated request without a nonce costs one dictionary lookup. A
/// request with a nonce is signed afresh. <see cref="Invalidate"/> drops every cached answer (the store changed).
/// Safe for concurrent use.
/// </summary>
public sealed class OcspResponder : IDisposable
{
    /// <summary>nextUpdate - thisUpdate of a good or revoked answer.</summary>
    public static readonly TimeSpan Validity = TimeSpan.FromHours(24);

    /// <summary>How long an unknown answer is reused: a certificate logged a moment later must soon answer good.</summary>
    public static readonly TimeSpan UnknownReuse = TimeSpan.FromSeconds(2);

    /// <summary>Answers held by CertID: far more than the certificates one Host CA has live.</summary>
    public const int MaxCertificateAnswers = 100_000;

    /// <summary>Answers held by request bytes.</summary>
    public const int MaxRequestAnswers = 20_000;

    /// <summary>The service name the signing certificates are logged under.</summary>
    public const string OcspSigningService = "ocsp";

    private readonly CertificateAuthority hostCa;
    private readonly string domain;
    private readonly ICertificateStore store;
    private readonly TimeProvider time;
    private readonly OcspIssuer issuer;
    private readonly OcspAnswerCache byCertificate = new(MaxCertificateAnswers);
    private readonly OcspAnswerCache byRequest = new(MaxRequestAnswers);
    private volatile OcspSigner signer;

    private OcspResponder(CertificateAuthority hostCa, string domain, ICertificateStore store, TimeProvider time, OcspSigner signer)
    {
        this.hostCa = hostCa;
        this.domain = domain;
        this.store = store;
        this.time = time;
        this.signer = signer;
        issuer = new OcspIssuer(hostCa.Certificate);
    }

    /// <summary>The Host CA's name in the issuance log (its machine).</summary>
    public string IssuerName => hostCa.Name;

    /// <summary>The signer now in use.</summary>
    public OcspSigner Signer => signer;

    /// <summary>Answers held by CertID now (for tests and metrics).</summary>
    public int CachedCertificateAnswers => byCertificate.Count;

    /// <summary>Issues and logs the first signing certificate. <paramref name="hostCa"/> stays the caller's.</summary>
    public static async Task<OcspResponder> StartAsync(CertificateAuthority hostCa, string domain, ICertificateStore store, TimeProvider? time = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(hostCa);
        ArgumentNullException.ThrowIfNull(store);
        time ??= TimeProvider.System;
        var signer = await IssueSignerAsync(hostCa, domain, store, time, cancellationToken).ConfigureAwait(false);
        return new OcspResponder(hostCa, domain, store, time, signer);
    }

    /// <summary>The answer to a request already answered and still fresh, without parsing it; false otherwise.</summary>
    public bool TryAnswerFromCache(ReadOnlySpan<byte> request, out OcspAnswer answer) =>
        byRequest.TryGet(request, time.GetUtcNow(), out answer);

    /// <summary>Answers any bytes; never throws for what a client sent (a store failure is tryLater).</summary>
    public async ValueTask<OcspAnswer> RespondAsync(byte[] request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var now = time.GetUtcNow();
        if (byRequest.TryGet(request, now, out var cached))
        {
            return cached;
        }

        var generation = byRequest.Generation;
        var parsed = OcspRequestReader.Read(request);
        if (parsed is null)
        {
            return OcspAnswer.Malformed;
        }

        foreach (var id in parsed.Certificates)
        {
            if (!issuer.Matches(id))
            {
                return OcspAnswer.Unauthorized;
            }
        }

        OcspAnswer answer;
        try
        {
            answer = parsed.NonceExtensionValue is null && parsed.Certificates.Count == 1
                ? await AnswerOneAsync(parsed.Certificates[0], cancellationToken).ConfigureAwait(false)
                : await SignAsync(parsed.Certificates, parsed.NonceExtensionValue, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is System.Data.Common.DbException or TimeoutException)
        {
            return OcspAnswer.TryLater;
        }

        if (parsed.NonceExtensionValue is null)
        {
            byRequest.Set(request, answer, generation);
        }

        return answer;
    }

    /// <summary>Drops every cached answer: the issuance log changed (a revocation must show at once).</summary>
    public void Invalidate()
    {
        byRequest.Clear();
        byCertificate.Clear();
    }

    /// <summary>Signs an answer for every unexpired certificate of this Host CA not yet held (SHA-1 CertIDs, the form clients send).</summary>
    public async Task<int> PresignAsync(CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var records = await store.ListAsync(new CertificateQuery(Issuer: hostCa.Name, UnexpiredAt: now), cancellationToken).ConfigureAwait(false);
        var signed = 0;
        foreach (var record in records.Take(MaxCertificateAnswers / 2))
        {
            var key = issuer.CertificateIdDer(OcspHash.Sha1, Convert.FromHexString(record.SerialHex));
            if (byCertificate.TryGet(key, now, out _))
            {
                continue;
            }

            var generation = byCertificate.Generation;
            byCertificate.Set(key, Sign(key, OcspCertificateStatus.Of(record), now), generation);
            signed++;
        }

        return signed;
    }

    /// <summary>
    /// The background step: a new signer once the current one is past two thirds of its life, then a fresh signature
    /// (status read again) for every held answer past half its validity; unknown answers past their time leave.
    /// Returns how many answers were re-signed.
    /// </summary>
    public async Task<int> RefreshAsync(CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        if (now >= signer.RenewAt)
        {
            await RenewSignerAsync(cancellationToken).ConfigureAwait(false);
        }

        var resigned = 0;
        foreach (var (key, answer) in byCertificate.Snapshot())
        {
            if (answer.NextUpdate is null)
            {
                if (now >= answer.ServeUntil)
                {
                    byCertificate.Remove(key);
                }

                continue;
            }

            if (now < answer.ThisUpdate + (Validity / 2))
            {
                continue;
            }

            var generation = byCertificate.Generation;
            var record = await store.FindAsync(hostCa.Name, SerialOf(key), cancellationToken).ConfigureAwait(false);
            byCertificate.Set(key, Sign(key, OcspCertificateStatus.Of(record), time.GetUtcNow()), generation);
            resigned++;
        }

        return resigned;
    }

    public void Dispose() => signer.Dispose();

    private async Task<OcspAnswer> AnswerOneAsync(OcspCertificateId id, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (byCertificate.TryGet(id.Der, now, out var cached))
        {
            return cached;
        }

        var generation = byCertificate.Generation;
        var record = await store.FindAsync(hostCa.Name, id.SerialHex, cancellationToken).ConfigureAwait(false);
        var answer = Sign(id.Der, OcspCertificateStatus.Of(record), time.GetUtcNow());
        byCertificate.Set(id.Der, answer, generation);
        return answer;
    }

    /// <summary>Several CertIDs, or a nonce: one response signed for this request.</summary>
    private async Task<OcspAnswer> SignAsync(IReadOnlyList<OcspCertificateId> ids, byte[]? nonce, CancellationToken cancellationToken)
    {
        var singles = new List<OcspSingleAnswer>(ids.Count);
        var now = time.GetUtcNow();
        foreach (var id in ids)
        {
            var record = await store.FindAsync(hostCa.Name, id.SerialHex, cancellationToken).ConfigureAwait(false);
            singles.Add(Single(id.Der, OcspCertificateStatus.Of(record), now));
        }

        var serveUntil = singles.Any(s => s.NextUpdate is null) ? now + UnknownReuse : now + (Validity / 2);
        var next = singles.Min(s => s.NextUpdate);
        return OcspAnswer.Signed(OcspResponseWriter.Successful(signer, singles, now, nonce), now, next, serveUntil);
    }

    private OcspAnswer Sign(byte[] certificateId, OcspCertificateStatus status, DateTimeOffset now)
    {
        var single = Single(certificateId, status, now);
        var serveUntil = single.NextUpdate is null ? now + UnknownReuse : now + (Validity / 2);
        return OcspAnswer.Signed(OcspResponseWriter.Successful(signer, [single], now, null), now, single.NextUpdate, serveUntil);
    }

    private static OcspSingleAnswer Single(byte[] certificateId, OcspCertificateStatus status, DateTimeOffset now) =>
        new(certificateId, status, now, status.Kind == OcspStatusKind.Unknown ? null : now + Validity);

    private async Task RenewSignerAsync(CancellationToken cancellationToken)
    {
        // The old signer is left to the collector, not disposed: a request may be signing with it right now, and the
        // answers it made stay valid (it lives days past its renewal point) until they are re-signed as usual.
        signer = await IssueSignerAsync(hostCa, domain, store, time, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<OcspSigner> IssueSignerAsync(CertificateAuthority hostCa, string domain, ICertificateStore store, TimeProvider time, CancellationToken cancellationToken)
    {
        var signer = OcspSigner.Issue(hostCa, domain, time.GetUtcNow());
        var certificate = signer.Certificate;
        try
        {
            await store.RecordAsync(
                [new CertificateRecord(hostCa.Name, certificate.SerialNumber.ToLowerInvariant(), CertificateKind.OcspSigning, [], hostCa.Name, OcspSigningService, certificate.NotBefore.ToUniversalTime(), certificate.NotAfter.ToUniversalTime(), Der: certificate.RawData)],
                cancellationToken).ConfigureAwait(false);
            return signer;
        }
        catch
        {
            signer.Dispose();
            throw;
        }
    }

    /// <summary>The serial in a CertID this responder wrote or cached: the last element's content octets.</summary>
    private static string SerialOf(byte[] certificateIdDer)
    {
        var reader = new System.Formats.Asn1.AsnReader(certificateIdDer, System.Formats.Asn1.AsnEncodingRules.BER).ReadSequence();
        reader.ReadSequence();
        reader.ReadOctetString();
        reader.ReadOctetString();
        return Convert.ToHexStringLower(reader.ReadIntegerBytes().Span);
    }
}
