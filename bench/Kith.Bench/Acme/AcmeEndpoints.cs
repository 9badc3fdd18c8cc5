using System.Text.Json;

namespace Kith.Bench.Acme;

/// <summary>The resource URLs the load run uses, read from the server's directory (RFC 8555 §7.1.1).</summary>
internal sealed record AcmeEndpoints(string NewNonce, string NewAccount, string NewOrder)
{
    public static AcmeEndpoints Parse(byte[] directory, string url)
    {
        try
        {
            using var json = JsonDocument.Parse(directory);
            string Member(string name) => json.RootElement.TryGetProperty(name, out var value) && value.GetString() is { } text
                ? text
                : throw new AcmeFailure("client-check", $"the directory at {url} has no '{name}'");
            return new AcmeEndpoints(Member("newNonce"), Member("newAccount"), Member("newOrder"));
        }
        catch (JsonException e)
        {
            throw new AcmeFailure("client-check", $"the directory at {url} is not JSON: {e.Message}");
        }
    }
}
