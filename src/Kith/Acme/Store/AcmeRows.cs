using System.Text.Json;
using Kith.Storage;
using Microsoft.Data.Sqlite;

namespace Kith.Acme.Store;

/// <summary>
/// How the ACME records map to rows of the <c>acme_*</c> tables: the column lists the queries select (in the
/// order the readers expect), and the encodings. Times are Unix seconds like the issuance log's; contacts and
/// identifiers are small JSON arrays; enums are words (<see cref="AcmeStoredWords"/>).
/// </summary>
internal static class AcmeRows
{
    public const string AccountColumns = "id, thumbprint, jwk, status, contact, eab_kid, created_at";

    public const string OrderColumns =
        "id, account_id, status, identifiers, expires, not_before, not_after, error_type, error_detail, certificate_serial, replaces, created_at";

    public const string AuthorizationColumns = "id, account_id, order_id, identifier_type, identifier_value, wildcard, status, expires";

    public const string ExternalAccountKeyColumns = "kid, hmac_key, created_at, bound_account_id";

    public const string ChallengeColumns = "id, authorization_id, type, token, status, validated_at, error_type, error_detail";

    public static string EncodeContact(IReadOnlyList<string> contact) =>
        JsonSerializer.Serialize(contact.ToArray(), AcmeStoreJson.Default.StringArray);

    public static string EncodeIdentifiers(IReadOnlyList<AcmeIdentifier> identifiers) =>
        JsonSerializer.Serialize(identifiers.ToArray(), AcmeStoreJson.Default.AcmeIdentifierArray);

    public static long EncodeTime(DateTimeOffset time) => StoredCertificate.EncodeTime(time);

    public static object EncodeTime(DateTimeOffset? time) => time is { } t ? StoredCertificate.EncodeTime(t) : DBNull.Value;

    /// <summary>Binds <c>@error_type</c> and <c>@error_detail</c> (both NULL without an error).</summary>
    public static void AddError(SqliteCommand command, AcmeStoredError? error)
    {
        command.Parameters.AddWithValue("@error_type", error is null ? DBNull.Value : AcmeStoredWords.Encode(error.Type));
        command.Parameters.AddWithValue("@error_detail", (object?)error?.Detail ?? DBNull.Value);
    }

    public static AcmeAccount ReadAccount(SqliteDataReader reader) => new(
        Id: reader.GetString(0),
        Thumbprint: reader.GetString(1),
        Jwk: reader.GetString(2),
        Status: AcmeStoredWords.DecodeAccountStatus(reader.GetString(3)),
        Contact: JsonSerializer.Deserialize(reader.GetString(4), AcmeStoreJson.Default.StringArray) ?? [],
        ExternalAccountKid: NullableString(reader, 5),
        CreatedAt: Time(reader, 6));

    public static AcmeOrder ReadOrder(SqliteDataReader reader, IReadOnlyList<string> authorizationIds) => new(
        Id: reader.GetString(0),
        AccountId: reader.GetString(1),
        Status: AcmeStoredWords.DecodeOrderStatus(reader.GetString(2)),
        Identifiers: JsonSerializer.Deserialize(reader.GetString(3), AcmeStoreJson.Default.AcmeIdentifierArray) ?? [],
        AuthorizationIds: authorizationIds,
        Expires: Time(reader, 4),
        NotBefore: NullableTime(reader, 5),
        NotAfter: NullableTime(reader, 6),
        Error: Error(reader, 7),
        CertificateSerial: NullableString(reader, 9),
        Replaces: NullableString(reader, 10),
        CreatedAt: Time(reader, 11));

    public static AcmeAuthorization ReadAuthorization(SqliteDataReader reader, IReadOnlyList<AcmeChallenge> challenges) => new(
        Id: reader.GetString(0),
        AccountId: reader.GetString(1),
        OrderId: reader.GetString(2),
        Identifier: new AcmeIdentifier(reader.GetString(3), reader.GetString(4)),
        Wildcard: reader.GetInt64(5) != 0,
        Status: AcmeStoredWords.DecodeAuthorizationStatus(reader.GetString(6)),
        Expires: Time(reader, 7),
        Challenges: challenges);

    public static AcmeChallenge ReadChallenge(SqliteDataReader reader) => new(
        Id: reader.GetString(0),
        AuthorizationId: reader.GetString(1),
        Type: reader.GetString(2),
        Token: reader.GetString(3),
        Status: AcmeStoredWords.DecodeChallengeStatus(reader.GetString(4)),
        Validated: NullableTime(reader, 5),
        Error: Error(reader, 6));

    /// <summary>An EAB key; without its HMAC key (an empty array) when the query left that column NULL out.</summary>
    public static AcmeExternalAccountKey ReadExternalAccountKey(SqliteDataReader reader) => new(
        Kid: reader.GetString(0),
        HmacKey: reader.IsDBNull(1) ? [] : (byte[])reader.GetValue(1),
        CreatedAt: Time(reader, 2),
        BoundAccountId: NullableString(reader, 3));

    /// <summary>The order as a read would return it: times cut to the whole second, lists copied.</summary>
    public static AcmeOrder AsStored(AcmeOrder order) => order with
    {
        Identifiers = [.. order.Identifiers],
        AuthorizationIds = [.. order.AuthorizationIds],
        Expires = AsStored(order.Expires),
        NotBefore = AsStored(order.NotBefore),
        NotAfter = AsStored(order.NotAfter),
        CreatedAt = AsStored(order.CreatedAt),
    };

    /// <inheritdoc cref="AsStored(AcmeOrder)"/>
    public static AcmeAuthorization AsStored(AcmeAuthorization authorization) => authorization with
    {
        Expires = AsStored(authorization.Expires),
        Challenges = [.. authorization.Challenges.Select(c => c with { Validated = AsStored(c.Validated) })],
    };

    public static DateTimeOffset AsStored(DateTimeOffset time) => StoredCertificate.DecodeTime(StoredCertificate.EncodeTime(time));

    public static DateTimeOffset? AsStored(DateTimeOffset? time) => time is { } t ? AsStored(t) : null;

    private static DateTimeOffset Time(SqliteDataReader reader, int column) => StoredCertificate.DecodeTime(reader.GetInt64(column));

    private static DateTimeOffset? NullableTime(SqliteDataReader reader, int column) =>
        reader.IsDBNull(column) ? null : StoredCertificate.DecodeTime(reader.GetInt64(column));

    private static string? NullableString(SqliteDataReader reader, int column) => reader.IsDBNull(column) ? null : reader.GetString(column);

    /// <summary>An error from the (type, detail) column pair starting at <paramref name="column"/>.</summary>
    private static AcmeStoredError? Error(SqliteDataReader reader, int column) =>
        reader.IsDBNull(column) ? null : new AcmeStoredError(AcmeStoredWords.DecodeErrorType(reader.GetString(column)), reader.GetString(column + 1));
}
