using System.Text.Json;
using System.Text.Json.Serialization;

namespace Kith.Cli.Output;

public sealed record PlanItemJson(string Machine, string? Service, string Kind, string Action, string Reason, IReadOnlyList<string> Names, DateTimeOffset? CurrentNotAfter);

public sealed record PlanJson(IReadOnlyList<PlanItemJson> Items, int Changes, bool Applied, int? HostCasSigned, int? CertificatesIssued, string? Output);

public sealed record CertificateJson(
    string Issuer,
    string Serial,
    string Kind,
    IReadOnlyList<string> Names,
    string? Machine,
    string? Service,
    DateTimeOffset NotBefore,
    DateTimeOffset NotAfter,
    string Status,
    DateTimeOffset? RevokedAt,
    string? RevocationReason);

public sealed record InspectedCertificateJson(
    string Subject,
    string Issuer,
    string Serial,
    IReadOnlyList<string> DnsNames,
    IReadOnlyList<string> IpAddresses,
    DateTimeOffset NotBefore,
    DateTimeOffset NotAfter,
    string Key,
    bool IsCa,
    int? PathLength,
    IReadOnlyList<string>? PermittedNames,
    IReadOnlyList<string> ExtendedKeyUsages,
    string Sha256);

public sealed record PublishTargetJson(string Target, string Outcome, long? Version, string? Reason, string Detail);

public sealed record InspectJson(string Source, IReadOnlyList<InspectedCertificateJson> Chain, string Verification, bool Trusted);

public sealed record AcmeCertificateJson(
    string Serial,
    string Issuer,
    IReadOnlyList<string> Names,
    DateTimeOffset NotBefore,
    DateTimeOffset NotAfter,
    bool Revoked,
    DateTimeOffset? RevokedAt,
    string? RevocationReason);

/// <summary>An EAB key as <c>kith acme eab</c> prints it; <see cref="HmacKey"/> only when just created.</summary>
public sealed record EabKeyJson(string Kid, string? HmacKey, DateTimeOffset CreatedAt, string? BoundAccountId);

/// <summary>Source-generated JSON (no reflection, so the native build can serialize).</summary>
[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(PlanJson))]
[JsonSerializable(typeof(List<CertificateJson>), TypeInfoPropertyName = "ListCertificateJson")]
[JsonSerializable(typeof(InspectJson))]
[JsonSerializable(typeof(List<PublishTargetJson>), TypeInfoPropertyName = "ListPublishTargetJson")]
[JsonSerializable(typeof(StatusJson))]
[JsonSerializable(typeof(List<AcmeCertificateJson>), TypeInfoPropertyName = "ListAcmeCertificateJson")]
[JsonSerializable(typeof(EabKeyJson))]
[JsonSerializable(typeof(List<EabKeyJson>), TypeInfoPropertyName = "ListEabKeyJson")]
[JsonSerializable(typeof(DoctorJson))]
internal sealed partial class KithJsonContext : JsonSerializerContext;

internal static class JsonOutput
{
    public static void Write<T>(TextWriter output, T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) =>
        output.WriteLine(JsonSerializer.Serialize(value, type));
}
