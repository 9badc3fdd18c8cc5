using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Kith.Bench.Acme;

/// <summary>
/// One client's signed requests: keeps the last Replay-Nonce for the next request (RFC 8555 §6.5), asks
/// newNonce only when it has none, retries a badNonce refusal with the nonce that refusal carried
/// (§6.5), and times every exchange by type. Any status other than the one expected is an
/// <see cref="AcmeFailure"/> carrying the problem document.
/// </summary>
internal sealed class AcmeConnection(HttpClient http, string newNonceUrl, AcmeAccountSigner signer, LoadRecorder recorder)
{
    /// <summary>How often one request is signed again after badNonce before the client gives up.</summary>
    private const int MaxBadNonceRetries = 10;

    private static readonly MediaTypeHeaderValue JoseJson = new("application/jose+json");

    private string? nonce;

    public AcmeAccountSigner Signer => signer;

    public async Task FetchNonceAsync(CancellationToken cancel)
    {
        using var request = new HttpRequestMessage(HttpMethod.Head, newNonceUrl);
        var started = Stopwatch.GetTimestamp();
        using var response = await SendAsync(request, AcmeRequestType.NewNonce, cancel);
        recorder.Record(AcmeRequestType.NewNonce, Stopwatch.GetTimestamp() - started);
        // RFC 8555 §7.2: HEAD newNonce answers 200.
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw await UnexpectedAsync(response, AcmeRequestType.NewNonce, HttpStatusCode.OK, cancel);
        }

        nonce = ReplayNonce(response) ?? throw new AcmeFailure("client-check", $"newNonce {newNonceUrl} answered without a Replay-Nonce header");
    }

    /// <summary>POSTs <paramref name="payload"/> (null: POST-as-GET) to <paramref name="url"/> and expects <paramref name="expected"/>.</summary>
    public async Task<AcmeReply> PostAsync(AcmeRequestType type, string url, byte[]? payload, HttpStatusCode expected, CancellationToken cancel, string? accept = null)
    {
        for (var attempt = 0; ; attempt++)
        {
            if (nonce is null)
            {
                await FetchNonceAsync(cancel);
            }

            var body = signer.Sign(url, nonce!, payload, postAsGet: payload is null);
            nonce = null;
            using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = JoseJson;
            if (accept is not null)
            {
                request.Headers.Accept.ParseAdd(accept);
            }

            var started = Stopwatch.GetTimestamp();
            using var response = await SendAsync(request, type, cancel);
            var content = await response.Content.ReadAsByteArrayAsync(cancel);
            recorder.Record(type, Stopwatch.GetTimestamp() - started);
            nonce = ReplayNonce(response);
            if (response.StatusCode == expected)
            {
                return new AcmeReply(response.StatusCode, response.Headers.Location, RetryAfter(response), response.Content.Headers.ContentType?.MediaType, content);
            }

            var problem = Problem(response, content);
            if (problem?.Type == AcmeFailure.ProblemPrefix + "badNonce" && attempt < MaxBadNonceRetries)
            {
                recorder.BadNonceRetries++;
                continue;
            }

            throw Unexpected(type, url, response.StatusCode, expected, problem, content);
        }
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, AcmeRequestType type, CancellationToken cancel)
    {
        try
        {
            return await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancel);
        }
        catch (HttpRequestException e)
        {
            throw new AcmeFailure("transport", $"{type} {request.Method} {request.RequestUri}: {e.Message}{(e.InnerException is { } inner ? " (" + inner.Message + ")" : string.Empty)}");
        }
        catch (TaskCanceledException) when (!cancel.IsCancellationRequested)
        {
            throw new AcmeFailure("timeout", $"{type} {request.Method} {request.RequestUri}: no answer within {http.Timeout.TotalSeconds:0} s");
        }
    }

    private static string? ReplayNonce(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Replay-Nonce", out var values) ? values.FirstOrDefault() : null;

    private static TimeSpan? RetryAfter(HttpResponseMessage response) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - DateTimeOffset.UtcNow,
        _ => null,
    };

    private static ProblemDocument? Problem(HttpResponseMessage response, byte[] content)
    {
        if (response.Content.Headers.ContentType?.MediaType != "application/problem+json")
        {
            return null;
        }

        try
        {
            using var json = JsonDocument.Parse(content);
            return new ProblemDocument(
                json.RootElement.TryGetProperty("type", out var type) ? type.GetString() : null,
                json.RootElement.TryGetProperty("detail", out var detail) ? detail.GetString() : null);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static async Task<AcmeFailure> UnexpectedAsync(HttpResponseMessage response, AcmeRequestType type, HttpStatusCode expected, CancellationToken cancel)
    {
        var content = await response.Content.ReadAsByteArrayAsync(cancel);
        return Unexpected(type, response.RequestMessage?.RequestUri?.ToString() ?? "?", response.StatusCode, expected, Problem(response, content), content);
    }

    private static AcmeFailure Unexpected(AcmeRequestType type, string url, HttpStatusCode status, HttpStatusCode expected, ProblemDocument? problem, byte[] content)
    {
        var kind = problem?.Type is { } problemType
            ? problemType.StartsWith(AcmeFailure.ProblemPrefix, StringComparison.Ordinal) ? problemType[AcmeFailure.ProblemPrefix.Length..] : problemType
            : $"http-{(int)status}";
        var text = Encoding.UTF8.GetString(content, 0, Math.Min(content.Length, 2000));
        return new AcmeFailure(kind, $"{type} POST {url}: expected {(int)expected}, got {(int)status}: {text}");
    }

    private sealed record ProblemDocument(string? Type, string? Detail);
}

/// <summary>A response with the expected status: what the flow reads from it.</summary>
internal sealed record AcmeReply(HttpStatusCode Status, Uri? Location, TimeSpan? RetryAfter, string? MediaType, byte[] Content)
{
    public JsonDocument Json() => JsonDocument.Parse(Content);
}
