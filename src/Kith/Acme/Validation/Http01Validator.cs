using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;

namespace Kith.Acme.Validation;

/// <summary>
/// http-01 (RFC 8555 §8.3): GET http://name/.well-known/acme-challenge/token and compare the body,
/// trimmed of whitespace, with the key authorization. Redirects are followed by hand so that every
/// hop is checked (scheme, port, allowed address); the body is never read past the size cap.
/// </summary>
public sealed class Http01Validator(ChallengeValidationOptions options) : IChallengeValidator
{
    public string ChallengeType => "http-01";

    public async Task<ChallengeResult> ValidateAsync(ChallengeRequest request, CancellationToken cancellationToken)
    {
        var port = options.HttpPort == 80 ? "" : $":{options.HttpPort}";
        var url = new Uri($"http://{request.Identifier}{port}/.well-known/acme-challenge/{request.Token}");
        using var total = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        total.CancelAfter(options.TotalTimeout);
        using var client = CreateClient();
        try
        {
            return await FollowAsync(client, url, request.KeyAuthorization, total.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return ChallengeResult.Invalid(AcmeErrorType.Connection, $"{url} did not answer within {options.TotalTimeout.TotalSeconds:0.#} s");
        }
    }

    private async Task<ChallengeResult> FollowAsync(HttpClient client, Uri url, string expected, CancellationToken cancellationToken)
    {
        var current = url;
        for (var hop = 0; ; hop++)
        {
            using var response = await SendAsync(client, current, cancellationToken).ConfigureAwait(false);
            if (response.Failure is { } failure)
            {
                return failure;
            }

            var message = response.Message!;
            var status = (int)message.StatusCode;
            if (status is >= 300 and < 400 && message.Headers.Location is { } location)
            {
                var next = location.IsAbsoluteUri ? location : new Uri(current, location);
                if (hop + 1 > options.MaxRedirects)
                {
                    return ChallengeResult.Invalid(AcmeErrorType.Connection, $"{url} redirected more than {options.MaxRedirects} times");
                }

                if (RefuseRedirect(next) is { } refusal)
                {
                    return ChallengeResult.Invalid(AcmeErrorType.Connection, $"{current} redirected to {next}, which {refusal}; not following");
                }

                current = next;
                continue;
            }

            if (message.StatusCode != HttpStatusCode.OK)
            {
                return ChallengeResult.Invalid(AcmeErrorType.Unauthorized, $"{current} answered {status}");
            }

            return await CompareBodyAsync(current, message.Content, expected, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<ChallengeResult> CompareBodyAsync(Uri url, HttpContent content, string expected, CancellationToken cancellationToken)
    {
        var cap = options.MaxHttpBodyBytes;
        if (content.Headers.ContentLength is { } declared && declared > cap)
        {
            return ChallengeResult.Invalid(AcmeErrorType.IncorrectResponse, $"{url} answered a body of {declared} bytes, more than the {cap} bytes allowed");
        }

        var buffer = new byte[cap + 1];
        var length = 0;
        var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            int read;
            while (length < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false)) > 0)
            {
                length += read;
            }
        }

        if (length > cap)
        {
            return ChallengeResult.Invalid(AcmeErrorType.IncorrectResponse, $"{url} answered a body longer than the {cap} bytes allowed");
        }

        string body;
        try
        {
            body = new UTF8Encoding(false, true).GetString(buffer, 0, length).Trim();
        }
        catch (DecoderFallbackException)
        {
            return ChallengeResult.Invalid(AcmeErrorType.IncorrectResponse, $"{url} answered a body that is not UTF-8 text");
        }

        if (!string.Equals(body, expected, StringComparison.Ordinal))
        {
            var shown = body.Length > 100 ? body[..100] + "..." : body;
            return ChallengeResult.Invalid(AcmeErrorType.IncorrectResponse, $"{url} answered \"{shown}\", expected the key authorization \"{expected}\"");
        }

        return ChallengeResult.Valid($"{url} answered the key authorization");
    }

    /// <summary>Why a redirect target may not be followed, or null when it may.</summary>
    private string? RefuseRedirect(Uri next)
    {
        if (next.Scheme != Uri.UriSchemeHttp && next.Scheme != Uri.UriSchemeHttps)
        {
            return $"uses scheme {next.Scheme}, not http or https";
        }

        int[] ports = [80, 443, options.HttpPort, options.HttpsPort];
        if (!ports.Contains(next.Port))
        {
            return $"uses port {next.Port}, not one of {string.Join(", ", ports.Distinct())}";
        }

        if (IPAddress.TryParse(next.Host.Trim('[', ']'), out var literal) && !options.IsAllowedAddress(literal))
        {
            return $"is address {literal}, not an allowed address";
        }

        return null;
    }

    private async Task<Sent> SendAsync(HttpClient client, Uri url, CancellationToken cancellationToken)
    {
        using var message = new HttpRequestMessage(HttpMethod.Get, url);
        message.Headers.UserAgent.Add(new ProductInfoHeaderValue("kith-acme-validator", "1"));
        message.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("*/*"));
        try
        {
            return new Sent(await client.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false), null);
        }
        catch (HttpRequestException e) when (FindNetworkFailure(e) is { } network)
        {
            return new Sent(null, ChallengeResult.Invalid(network.ProblemType, $"{url}: {network.Message}"));
        }
        catch (HttpRequestException e)
        {
            return new Sent(null, ChallengeResult.Invalid(AcmeErrorType.Connection, $"{url} could not be fetched: {e.Message}"));
        }
    }

    private static ChallengeNetworkException? FindNetworkFailure(Exception e)
    {
        for (Exception? inner = e; inner is not null; inner = inner.InnerException)
        {
            if (inner is ChallengeNetworkException network)
            {
                return network;
            }
        }

        return null;
    }

    private HttpClient CreateClient()
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseProxy = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
            ConnectTimeout = options.ConnectTimeout,
            PooledConnectionLifetime = TimeSpan.Zero,
            MaxResponseHeadersLength = 16,
            // http-01 may redirect to https; the certificate proves nothing here, the body does (as in RFC 8555 §8.3).
            SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
            ConnectCallback = async (context, token) =>
            {
                var socket = await options.ConnectAsync(context.DnsEndPoint.Host, context.DnsEndPoint.Port, token).ConfigureAwait(false);
                return new NetworkStream(socket, ownsSocket: true);
            },
        };
        return new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    private readonly record struct Sent(HttpResponseMessage? Message, ChallengeResult? Failure) : IDisposable
    {
        public void Dispose() => Message?.Dispose();
    }
}
