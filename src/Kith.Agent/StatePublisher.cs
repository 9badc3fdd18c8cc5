using System.Net.Http.Headers;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;

namespace Kith.Agent;

/// <summary>What one target said to a published state.</summary>
public enum PublishOutcome
{
    Accepted,
    Refused,

    /// <summary>The TLS handshake failed: the agent's certificate does not chain to the Root or names another host.</summary>
    Untrusted,
    Unreachable,
}

/// <summary>One row of <c>kith publish</c>: a value, never an exception.</summary>
public sealed record PublishResult(Uri Target, PublishOutcome Outcome, long? Version, string? Reason, string Detail)
{
    public bool Succeeded => Outcome == PublishOutcome.Accepted;
}

/// <summary>
/// Pushes a signed fleet state to agents over HTTPS, trusting only the fleet's Root (custom root trust: the
/// system store plays no part) and checking each agent's name as usual.
/// </summary>
public sealed class StatePublisher : IDisposable
{
    private readonly HttpClient client;

    /// <param name="root">The fleet Root: the only trust anchor.</param>
    /// <param name="timeout">Each push's limit; 30 s when null.</param>
    /// <param name="addresses">Host name → addresses to connect to (the machines' inventory addresses), or null for DNS.</param>
    public StatePublisher(X509Certificate2 root, TimeSpan? timeout = null, IReadOnlyDictionary<string, IReadOnlyList<System.Net.IPAddress>>? addresses = null)
    {
        client = FleetHttpClient.Create(root, addresses, timeout ?? TimeSpan.FromSeconds(30));
    }

    /// <summary>"https://host:port" gets the path /state; any other path is kept. Null when not an https URL.</summary>
    public static Uri? TargetOf(string text)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps)
        {
            return null;
        }

        return uri.AbsolutePath is "" or "/" ? new Uri(uri, "/state") : uri;
    }

    public async Task<IReadOnlyList<PublishResult>> PublishAsync(byte[] envelope, IEnumerable<Uri> targets, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        var tasks = targets.Select(target => PublishOneAsync(envelope, target, cancellationToken)).ToList();
        return await Task.WhenAll(tasks).ConfigureAwait(false);
    }

    public void Dispose() => client.Dispose();

    private async Task<PublishResult> PublishOneAsync(byte[] envelope, Uri target, CancellationToken cancellationToken)
    {
        try
        {
            using var content = new ByteArrayContent(envelope);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            using var response = await client.PutAsync(target, content, cancellationToken).ConfigureAwait(false);
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            var (version, reason, detail) = Read(body);
            if (response.IsSuccessStatusCode)
            {
                return new PublishResult(target, PublishOutcome.Accepted, version, null, version is null ? "accepted" : $"version {version}");
            }

            var status = (int)response.StatusCode;
            return new PublishResult(target, PublishOutcome.Refused, null, reason ?? $"http_{status}", detail ?? $"HTTP {status} {response.ReasonPhrase}");
        }
        catch (HttpRequestException e) when (e.InnerException is AuthenticationException)
        {
            return new PublishResult(target, PublishOutcome.Untrusted, null, null, FleetHttpClient.ErrorChain(e));
        }
        catch (HttpRequestException e)
        {
            return new PublishResult(target, PublishOutcome.Unreachable, null, null, FleetHttpClient.ErrorChain(e));
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new PublishResult(target, PublishOutcome.Unreachable, null, null, $"no answer within {client.Timeout.TotalSeconds:0} s");
        }
    }

    private static (long? Version, string? Reason, string? Detail) Read(byte[] body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return (null, null, null);
            }

            long? version = root.TryGetProperty("version", out var v) && v.TryGetInt64(out var number) ? number : null;
            var reason = root.TryGetProperty("reason", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : null;
            var detail = root.TryGetProperty("detail", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null;
            return (version, reason, detail);
        }
        catch (JsonException)
        {
            return (null, null, null);
        }
    }
}
