namespace Kith.Dns.Update;

/// <summary>
/// A shared secret that may sign RFC 2136 updates (RFC 8945 TSIG). <paramref name="Name"/> is the key's
/// domain name as clients send it (lower-case, no trailing dot); <paramref name="Algorithm"/> one of
/// <see cref="TsigAlgorithms.Names"/>. The secret is never logged.
/// </summary>
public sealed record TsigKey(string Name, string Algorithm, byte[] Secret)
{
    /// <summary>RFC 8945 section 6 asks for keys at least as long as half the hash output.</summary>
    public const int MinimumSecretBytes = 16;

    /// <summary>The name without the trailing dot, lower-case: how keys are compared with a request's.</summary>
    public string NormalizedName { get; } = DnsNames.Normalize(Name);

    /// <summary>The algorithm in lower case.</summary>
    public string NormalizedAlgorithm { get; } = Algorithm.ToLowerInvariant();

    /// <summary>Keeps the secret out of logs and exception messages.</summary>
    public override string ToString() => $"TsigKey {{ Name = {NormalizedName}, Algorithm = {NormalizedAlgorithm} }}";
}
