using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using Org.BouncyCastle.Ocsp;
using BcCertificate = Org.BouncyCastle.X509.X509Certificate;

namespace Kith.Doctor;

/// <summary>The OCSP check's outcome; <see cref="RevokedAt"/> set when the responder says revoked.</summary>
public sealed record OcspStatus(CheckResult Result, DateTimeOffset? RevokedAt);

/// <summary>
/// Asks the OCSP responder named in the leaf's Authority Information Access (the issuing agent's, RFC 6960)
/// about the leaf, over HTTP POST with a short timeout. An unreachable responder is a warning: clients that
/// need OCSP get the stapled answer from the proxy, and the proxy staples what the agent answers.
/// </summary>
public static class OcspCheck
{
    private const int MaxResponseBytes = 64 * 1024;

    public static async Task<OcspStatus> AskAsync(IReadOnlyList<X509Certificate2> chain, TimeSpan timeout, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(chain);
        var leaf = chain[0];
        var url = leaf.Extensions.OfType<X509AuthorityInformationAccessExtension>().SelectMany(e => e.EnumerateOcspUris()).FirstOrDefault();
        if (url is null)
        {
            return Skipped("the certificate names no OCSP responder");
        }

        var issuer = chain.Skip(1).FirstOrDefault(c => c.SubjectName.RawData.AsSpan().SequenceEqual(leaf.IssuerName.RawData));
        if (issuer is null)
        {
            return Skipped("the server sent no issuer certificate to build the OCSP request with");
        }

        var bcIssuer = new BcCertificate(issuer.RawData);
        var id = new CertificateID(CertificateID.DigestSha1, bcIssuer, new BcCertificate(leaf.RawData).SerialNumber);
        var generator = new OcspReqGenerator();
        generator.AddRequest(id);
        byte[] body;
        try
        {
            body = await PostAsync(new Uri(url), generator.Generate().GetEncoded(), timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or IOException or UriFormatException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            var why = e is OperationCanceledException ? $"no answer within {timeout.TotalSeconds:0.#} s" : e.Message;
            return Warn($"{url} unreachable: {why}");
        }

        return Judge(url, body, id, bcIssuer, now);
    }

    private static OcspStatus Judge(string url, byte[] body, CertificateID id, BcCertificate issuer, DateTimeOffset now)
    {
        BasicOcspResp basic;
        try
        {
            var response = new OcspResp(body);
            if (response.Status != OcspRespStatus.Successful)
            {
                return Warn($"{url} answered with OCSP status {response.Status}");
            }

            basic = (BasicOcspResp)response.GetResponseObject();
        }
        catch (Exception e) when (e is IOException or InvalidCastException or ArgumentException or OcspException or Org.BouncyCastle.Asn1.Asn1Exception)
        {
            return Warn($"{url} did not answer with an OCSP response ({e.Message})");
        }

        if (!SignedByIssuer(basic, issuer))
        {
            return Warn($"{url} answered, but its response is not signed by the certificate's issuer");
        }

        var single = basic.Responses.FirstOrDefault(r => r.GetCertID().Equals(id));
        if (single is null)
        {
            return Warn($"{url} answered about another certificate");
        }

        if (single.NextUpdate is { } next && new DateTimeOffset(next, TimeSpan.Zero) < now)
        {
            return Warn($"{url} answered with a stale response (next update {CertificateChecks.Date(new DateTimeOffset(next, TimeSpan.Zero))})");
        }

        return single.GetCertStatus() switch
        {
            null => new OcspStatus(CheckResult.Ok(DoctorCheck.Ocsp, $"good ({url})"), null),
            RevokedStatus revoked => new OcspStatus(
                CheckResult.Fail(DoctorCheck.Ocsp, $"revoked {CertificateChecks.Date(new DateTimeOffset(revoked.RevocationTime, TimeSpan.Zero))} ({url})"),
                new DateTimeOffset(revoked.RevocationTime, TimeSpan.Zero)),
            _ => Warn($"{url} does not know the certificate (unknown)"),
        };
    }

    /// <summary>By the issuer's key itself, or by a delegated responder certificate the issuer signed (RFC 6960 §4.2.2.2).</summary>
    private static bool SignedByIssuer(BasicOcspResp basic, BcCertificate issuer)
    {
        try
        {
            if (basic.Verify(issuer.GetPublicKey()))
            {
                return true;
            }
        }
        catch (OcspException)
        {
        }

        foreach (var responder in basic.GetCerts())
        {
            try
            {
                responder.Verify(issuer.GetPublicKey());
                if (basic.Verify(responder.GetPublicKey()))
                {
                    return true;
                }
            }
            catch (Exception e) when (e is OcspException or Org.BouncyCastle.Security.InvalidKeyException or Org.BouncyCastle.Security.Certificates.CertificateException or Org.BouncyCastle.Security.SignatureException)
            {
            }
        }

        return false;
    }

    private static async Task<byte[]> PostAsync(Uri url, byte[] request, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var client = new HttpClient { Timeout = timeout };
        using var content = new ByteArrayContent(request);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/ocsp-request");
        using var response = await client.PostAsync(url, content, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"HTTP {(int)response.StatusCode} {response.ReasonPhrase}");
        }

        var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        return bytes.Length > MaxResponseBytes ? throw new IOException($"the answer is larger than {MaxResponseBytes} bytes") : bytes;
    }

    private static OcspStatus Skipped(string detail) => new(CheckResult.Skipped(DoctorCheck.Ocsp, detail), null);

    private static OcspStatus Warn(string detail) => new(CheckResult.Warn(DoctorCheck.Ocsp, detail), null);
}
