using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;

namespace Kith.Bench.Acme;

/// <summary>
/// One ACME client of the load run: creates its account once, then takes order numbers from the shared
/// counter and runs each order the way a real client does (RFC 8555 §7.3–7.4.2): newOrder, fetch each
/// authorization, answer its http-01 challenge, poll the authorization until valid, finalize with a fresh
/// key's CSR, poll the order until valid, download the chain and check it carries the ordered name and
/// the CSR's key.
/// </summary>
internal sealed class AcmeLoadClient(int index, AcmeLoadOptions options, AcmeEndpoints endpoints, HttpClient http, OrderCounter counter, FailureLog failures)
{
    /// <summary>How long one authorization or order may stay pending or processing before the order fails.</summary>
    private static readonly TimeSpan PollDeadline = TimeSpan.FromSeconds(60);

    /// <summary>Failed orders in a row after which this client stops: the server is refusing everything.</summary>
    private const int MaxFailuresInARow = 5;

    public LoadRecorder Recorder { get; } = new();

    public async Task RunAsync(CancellationToken cancel)
    {
        using var signer = new AcmeAccountSigner();
        var connection = new AcmeConnection(http, endpoints.NewNonce, signer, Recorder);
        try
        {
            await connection.FetchNonceAsync(cancel);
            var account = await connection.PostAsync(AcmeRequestType.NewAccount, endpoints.NewAccount, """{"termsOfServiceAgreed":true}"""u8.ToArray(), HttpStatusCode.Created, cancel);
            signer.AccountUrl = account.Location?.AbsoluteUri ?? throw new AcmeFailure("client-check", "newAccount answered 201 without a Location header");
        }
        catch (AcmeFailure failure)
        {
            // Without an account this client can place no order; the run reports the orders it did not make.
            Recorder.Fail(failure.Kind);
            failures.Report($"client {index}: account", failure);
            return;
        }

        var inARow = 0;
        while (counter.TryTake(out var order))
        {
            try
            {
                await RunOrderAsync(connection, $"load{index}-{order}.{options.Domain}", cancel);
                inARow = 0;
            }
            catch (AcmeFailure failure)
            {
                Recorder.Fail(failure.Kind);
                failures.Report($"client {index}: order {order}", failure);
                if (failure.Kind is "timeout" or "transport")
                {
                    // A server that stops answering would hold every client for a timeout per order: end the run.
                    counter.Stop();
                }
                else if (++inARow == MaxFailuresInARow)
                {
                    failures.Report($"client {index}", new AcmeFailure("client-stopped", $"stopped after {MaxFailuresInARow} failed orders in a row"));
                    return;
                }
            }
        }
    }

    private async Task RunOrderAsync(AcmeConnection connection, string name, CancellationToken cancel)
    {
        var newOrder = await connection.PostAsync(AcmeRequestType.NewOrder, endpoints.NewOrder, Payload(w =>
        {
            w.WriteStartArray("identifiers");
            w.WriteStartObject();
            w.WriteString("type", "dns");
            w.WriteString("value", name);
            w.WriteEndObject();
            w.WriteEndArray();
        }), HttpStatusCode.Created, cancel);
        var orderUrl = newOrder.Location?.AbsoluteUri ?? throw new AcmeFailure("client-check", $"newOrder for {name} answered 201 without a Location header");
        string finalizeUrl;
        List<string> authorizations;
        using (var order = newOrder.Json())
        {
            finalizeUrl = order.RootElement.GetProperty("finalize").GetString()!;
            authorizations = [.. order.RootElement.GetProperty("authorizations").EnumerateArray().Select(a => a.GetString()!)];
        }

        if (authorizations.Count != 1)
        {
            throw new AcmeFailure("client-check", $"order {orderUrl} for one name lists {authorizations.Count} authorizations");
        }

        foreach (var authorization in authorizations)
        {
            await AuthorizeAsync(connection, authorization, name, cancel);
        }

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var finalized = await connection.PostAsync(AcmeRequestType.Finalize, finalizeUrl, Payload(w => w.WriteString("csr", Csr(key, name))), HttpStatusCode.OK, cancel);
        var certificateUrl = await PollAsync(connection, orderUrl, finalized, "order", cancel, static order =>
            order.GetProperty("status").GetString() switch
            {
                "valid" => order.GetProperty("certificate").GetString(),
                "processing" or "ready" => null,
                var status => throw new AcmeFailure($"order-{status}", $"order became '{status}' after finalize: {order}"),
            });

        var chain = await connection.PostAsync(AcmeRequestType.Certificate, certificateUrl, null, HttpStatusCode.OK, cancel, accept: "application/pem-certificate-chain");
        Recorder.Serials.Add(CheckedSerial(chain, key, name));
    }

    private async Task AuthorizeAsync(AcmeConnection connection, string url, string name, CancellationToken cancel)
    {
        var authz = await connection.PostAsync(AcmeRequestType.Authz, url, null, HttpStatusCode.OK, cancel);
        string challengeUrl;
        using (var json = authz.Json())
        {
            var status = json.RootElement.GetProperty("status").GetString();
            if (status == "valid")
            {
                return; // a server may reuse a valid authorization (RFC 8555 §7.1.3)
            }

            if (status != "pending")
            {
                throw new AcmeFailure($"authz-{status}", $"authorization {url} for {name} is '{status}' before any challenge was answered");
            }

            var http01 = json.RootElement.GetProperty("challenges").EnumerateArray().FirstOrDefault(c => c.GetProperty("type").GetString() == "http-01");
            if (http01.ValueKind != JsonValueKind.Object)
            {
                throw new AcmeFailure("client-check", $"authorization {url} offers no http-01 challenge");
            }

            challengeUrl = http01.GetProperty("url").GetString()!;
        }

        // The server under test validates nothing (an explicit test setting), so no responder serves the key
        // authorization; everything else is what a client answering http-01 does.
        await connection.PostAsync(AcmeRequestType.Challenge, challengeUrl, "{}"u8.ToArray(), HttpStatusCode.OK, cancel);
        await PollAsync(connection, url, null, "authorization", cancel, static authorization =>
            authorization.GetProperty("status").GetString() switch
            {
                "valid" => "valid",
                "pending" => null,
                var status => throw new AcmeFailure($"authz-{status}", $"authorization became '{status}': {authorization}"),
            });
    }

    /// <summary>
    /// Reads <paramref name="first"/> (or fetches <paramref name="url"/> at once), then POST-as-GETs it again
    /// until <paramref name="done"/> returns a value, sleeping --poll-ms between fetches, or less when the
    /// server's Retry-After asks for less. A server that answers done at once costs no sleep.
    /// </summary>
    private async Task<string> PollAsync(AcmeConnection connection, string url, AcmeReply? first, string what, CancellationToken cancel, Func<JsonElement, string?> done)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(PollDeadline.TotalSeconds * Stopwatch.Frequency);
        var reply = first ?? await connection.PostAsync(AcmeRequestType.Poll, url, null, HttpStatusCode.OK, cancel);
        while (true)
        {
            using (var json = reply.Json())
            {
                if (done(json.RootElement) is { } result)
                {
                    return result;
                }
            }

            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new AcmeFailure("poll-timeout", $"{what} {url} was not done after {PollDeadline.TotalSeconds:0} s");
            }

            var sleep = options.PollInterval;
            if (reply.RetryAfter is { } retryAfter && retryAfter < sleep)
            {
                sleep = retryAfter < TimeSpan.Zero ? TimeSpan.Zero : retryAfter;
            }

            if (what == "order")
            {
                Recorder.OrderPollSleeps++;
            }
            else
            {
                Recorder.AuthzPollSleeps++;
            }

            Recorder.PollSleepTime += sleep;
            await Task.Delay(sleep, cancel);
            reply = await connection.PostAsync(AcmeRequestType.Poll, url, null, HttpStatusCode.OK, cancel);
        }
    }

    private static string Csr(ECDsa key, string name)
    {
        var request = new CertificateRequest(new X500DistinguishedName($"CN={name}"), key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(name);
        request.CertificateExtensions.Add(san.Build());
        return System.Buffers.Text.Base64Url.EncodeToString(request.CreateSigningRequest());
    }

    /// <summary>The leaf's serial (hex), after checking it names <paramref name="name"/> and holds the CSR's key.</summary>
    private static string CheckedSerial(AcmeReply chain, ECDsa key, string name)
    {
        if (chain.MediaType != "application/pem-certificate-chain")
        {
            throw new AcmeFailure("client-check", $"certificate for {name} came as '{chain.MediaType}', not application/pem-certificate-chain");
        }

        X509Certificate2 leaf;
        try
        {
            leaf = X509Certificate2.CreateFromPem(System.Text.Encoding.ASCII.GetString(chain.Content));
        }
        catch (CryptographicException e)
        {
            throw new AcmeFailure("client-check", $"certificate for {name} is not a PEM certificate: {e.Message}");
        }

        using (leaf)
        {
            if (!leaf.PublicKey.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(key.ExportSubjectPublicKeyInfo()))
            {
                throw new AcmeFailure("client-check", $"certificate {leaf.SerialNumber} for {name} does not hold the CSR's public key");
            }

            var names = leaf.Extensions.OfType<X509SubjectAlternativeNameExtension>().SelectMany(e => e.EnumerateDnsNames()).ToList();
            if (names is not [var only] || only != name)
            {
                throw new AcmeFailure("client-check", $"certificate {leaf.SerialNumber} names [{string.Join(", ", names)}], not {name}");
            }

            return leaf.SerialNumber;
        }
    }

    private static byte[] Payload(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            write(writer);
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }
}
