namespace Kith.Acme;

/// <summary>An ACME identifier (RFC 8555 §7.1.3): type "dns" or "ip" (RFC 8738) and its value.</summary>
public sealed record AcmeIdentifier(string Type, string Value)
{
    public const string Dns = "dns";
    public const string Ip = "ip";

    public override string ToString() => $"{Type}:{Value}";
}

/// <summary>
/// An ACME error (RFC 8555 §6.7), sent as application/problem+json (RFC 7807). A compound problem lists
/// one subproblem per failing identifier.
/// </summary>
/// <param name="Identifier">The identifier the problem concerns; set on subproblems.</param>
/// <param name="Status">The HTTP status; the type's default when null.</param>
/// <param name="Algorithms">For badSignatureAlgorithm: the JWS algorithms the server accepts (RFC 8555 §6.2).</param>
public sealed record AcmeProblem(
    AcmeErrorType Type,
    string Detail,
    AcmeIdentifier? Identifier = null,
    IReadOnlyList<AcmeProblem>? Subproblems = null,
    int? Status = null,
    IReadOnlyList<string>? Algorithms = null)
{
    public const string MediaType = "application/problem+json";

    /// <summary>The HTTP status of the response that carries this problem.</summary>
    public int HttpStatus => Status ?? Type.DefaultStatus();

    /// <summary>The problem document as UTF-8 JSON.</summary>
    public byte[] ToJson() => System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(ToDocument(top: true), AcmeJson.Default.ProblemDocument);

    private ProblemDocument ToDocument(bool top) => new(
        Type.Urn(),
        Detail,
        top ? HttpStatus : null,
        Identifier is null ? null : new IdentifierDocument(Identifier.Type, Identifier.Value),
        Subproblems is { Count: > 0 } ? [.. Subproblems.Select(s => s.ToDocument(top: false))] : null,
        Algorithms);
}
