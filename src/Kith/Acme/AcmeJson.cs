using System.Text.Json.Serialization;

namespace Kith.Acme;

/// <summary>Source-generated JSON for the ACME documents (no reflection: the native build serializes).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ProblemDocument))]
[JsonSerializable(typeof(DirectoryDocument))]
[JsonSerializable(typeof(RenewalInfoDocument))]
internal sealed partial class AcmeJson : JsonSerializerContext;

internal sealed record IdentifierDocument(string Type, string Value);

internal sealed record ProblemDocument(
    string Type,
    string Detail,
    int? Status,
    IdentifierDocument? Identifier,
    IReadOnlyList<ProblemDocument>? Subproblems,
    IReadOnlyList<string>? Algorithms);

internal sealed record DirectoryMetaDocument(
    string? Website,
    IReadOnlyList<string> CaaIdentities,
    bool ExternalAccountRequired);

internal sealed record DirectoryDocument(
    string NewNonce,
    string NewAccount,
    string NewOrder,
    string RevokeCert,
    string KeyChange,
    string RenewalInfo,
    DirectoryMetaDocument Meta);

internal sealed record SuggestedWindowDocument(string Start, string End);

internal sealed record RenewalInfoDocument(
    SuggestedWindowDocument SuggestedWindow,
    [property: JsonPropertyName("explanationURL")] string? ExplanationUrl);
