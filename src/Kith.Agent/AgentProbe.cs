using System.Net;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;

namespace Kith.Agent;

/// <summary>How an agent answered GET /healthz.</summary>
public enum ProbeOutcome
{
    Reachable,

    /// <summary>The TLS handshake failed: its certificate does not chain to the Root, or names another machine.</summary>
    Untrusted,

    /// <summary>No connection, no answer within the timeout, or an answer that is not a kith agent's health.</summary>
    Unreachable,
}

/// <summary>One machine's agent as <c>kith status</c> found it: a value, never an exception.</summary>
/// <param name="Health">The agent's /healthz, when reachable.</param>
/// <param name="Detail">Why it is untrusted or unreachable.</param>
public sealed record ProbeResult(string Machine, Uri Url, ProbeOutcome Outcome, AgentHealth? Health, string? Detail);

/// <summary>Where to reach one machine's agent: the name its certificate must carry, and the addresses to connect to.</summary>
/// <param name="Addresses">Connected to in order; empty means DNS for <c>&lt;machine&gt;.&lt;domain&gt;</c>.</param>
public sealed record ProbeTarget(string Machine, int Port, IReadOnlyList<IPAddress> Addresses)
{
    /// <summary>The connect map for <see cref="FleetHttpClient.Create"/>: &lt;machine&gt;.&lt;domain&gt; → the addresses of the targets that have some.</summary>
    public static Dictionary<string, IReadOnlyList<IPAddress>> AddressMap(IEnumerable<ProbeTarget> targets, string domain) =>
        targets.Where(t => t.Addresses.Count > 0)
            .ToDictionary(t => $"{t.Machine}.{domain}".ToLowerInvariant(), t => t.Addresses, StringComparer.Ordinal);
}

/// <summary>
/// Asks agents for GET /healthz at https://&lt;machine&gt;.&lt;domain&gt;:&lt;port&gt;/, connecting to the given
/// addresses, in parallel, through <see cref="FleetHttpClient"/>: the certificate must chain to the Root and
/// name the machine.
/// </summary>
public static class AgentProbe
{
    public static async Task<IReadOnlyList<ProbeResult>> ProbeAsync(X509Certificate2 root, string domain, IReadOnlyList<ProbeTarget> targets, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(targets);
        using var client = FleetHttpClient.Create(root, ProbeTarget.AddressMap(targets, domain), timeout);
        var probes = targets.Select(t => ProbeOneAsync(client, t.Machine, FleetHttpClient.AgentUri(t.Machine, domain, t.Port, "/healthz"), cancellationToken));
        return await Task.WhenAll(probes).ConfigureAwait(false);
    }

    private static async Task<ProbeResult> ProbeOneAsync(HttpClient client, string machine, Uri url, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await client.GetAsync(url, cancellationToken).ConfigureAwait(false);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return new ProbeResult(machine, url, ProbeOutcome.Unreachable, null, $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}");
            }

            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            var health = Parse(body);
            return health is null
                ? new ProbeResult(machine, url, ProbeOutcome.Unreachable, null, "the answer is not a kith agent's /healthz")
                : new ProbeResult(machine, url, ProbeOutcome.Reachable, health, null);
        }
        catch (HttpRequestException e) when (e.InnerException is AuthenticationException)
        {
            return new ProbeResult(machine, url, ProbeOutcome.Untrusted, null, FleetHttpClient.RootCause(e));
        }
        catch (HttpRequestException e)
        {
            return new ProbeResult(machine, url, ProbeOutcome.Unreachable, null, FleetHttpClient.RootCause(e));
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new ProbeResult(machine, url, ProbeOutcome.Unreachable, null, $"no answer within {client.Timeout.TotalSeconds:0.#} s");
        }
    }

    private static AgentHealth? Parse(byte[] body)
    {
        try
        {
            var health = JsonSerializer.Deserialize(body, AgentJson.Default.AgentHealth);
            return health is { Machine: not null, Domain: not null } ? health : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
