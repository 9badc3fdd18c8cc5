namespace Kith.Acme.Jws;

/// <summary>
/// An ACME problem (RFC 8555 §6.7): the error type URN and a one-line detail for the client.
/// </summary>
/// <param name="Type">The full URN, e.g. <c>urn:ietf:params:acme:error:malformed</c>.</param>
/// <param name="Detail">What was wrong, in words a client operator can act on.</param>
/// <param name="Algorithms">For <see cref="BadSignatureAlgorithm"/>: the alg values the server accepts.</param>
public sealed record AcmeProblem(string Type, string Detail, IReadOnlyList<string>? Algorithms = null)
{
    private const string Prefix = "urn:ietf:params:acme:error:";

    public const string Malformed = Prefix + "malformed";
    public const string BadSignatureAlgorithm = Prefix + "badSignatureAlgorithm";
    public const string BadPublicKey = Prefix + "badPublicKey";
    public const string Unauthorized = Prefix + "unauthorized";
    public const string AccountDoesNotExist = Prefix + "accountDoesNotExist";

    internal static AcmeProblem MalformedRequest(string detail) => new(Malformed, detail);

    internal static AcmeProblem BadPublicKeyValue(string detail) => new(BadPublicKey, detail);

    internal static AcmeProblem BadAlgorithm(string detail) =>
        new(BadSignatureAlgorithm, detail, JwsAlgorithms.Supported);
}
