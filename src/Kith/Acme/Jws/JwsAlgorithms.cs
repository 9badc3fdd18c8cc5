namespace Kith.Acme.Jws;

/// <summary>The JWS "alg" values accepted on ACME requests, and the key type each one needs.</summary>
public static class JwsAlgorithms
{
    public const string ES256 = "ES256";
    public const string ES384 = "ES384";
    public const string RS256 = "RS256";
    public const string EdDSA = "EdDSA";

    /// <summary>Every accepted alg, in the order reported in badSignatureAlgorithm problems.</summary>
    public static IReadOnlyList<string> Supported { get; } = [ES256, ES384, RS256, EdDSA];

    /// <summary>A badSignatureAlgorithm problem that lists <see cref="Supported"/> (RFC 8555 §6.2).</summary>
    internal static AcmeProblem Refusal(string detail) => new(AcmeErrorType.BadSignatureAlgorithm, detail, Algorithms: Supported);

    internal static bool IsSupported(string alg) => Supported.Contains(alg, StringComparer.Ordinal);
}
