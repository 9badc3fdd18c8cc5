namespace Kith.Acme.Store;

/// <summary>
/// How the ACME enums are written into text columns: statuses as their RFC 8555 lower-case names ("pending",
/// "processing"), error types as their RFC spelling ("badCSR"), so the file reads well in <c>sqlite3</c> and
/// reordering a C# enum never changes the meaning of old rows.
/// </summary>
internal static class AcmeStoredWords
{
    public static string Encode(AcmeAccountStatus status) => Words<AcmeAccountStatus>.Encode(status);

    public static string Encode(AcmeOrderStatus status) => Words<AcmeOrderStatus>.Encode(status);

    public static string Encode(AcmeAuthorizationStatus status) => Words<AcmeAuthorizationStatus>.Encode(status);

    public static string Encode(AcmeChallengeStatus status) => Words<AcmeChallengeStatus>.Encode(status);

    public static AcmeAccountStatus DecodeAccountStatus(string text) => Words<AcmeAccountStatus>.Decode(text, "account status");

    public static AcmeOrderStatus DecodeOrderStatus(string text) => Words<AcmeOrderStatus>.Decode(text, "order status");

    public static AcmeAuthorizationStatus DecodeAuthorizationStatus(string text) => Words<AcmeAuthorizationStatus>.Decode(text, "authorization status");

    public static AcmeChallengeStatus DecodeChallengeStatus(string text) => Words<AcmeChallengeStatus>.Decode(text, "challenge status");

    public static string Encode(AcmeErrorType type) => type.Name();

    public static AcmeErrorType DecodeErrorType(string text) =>
        ErrorTypes.TryGetValue(text, out var type) ? type : throw Unknown("error type", text);

    private static readonly Dictionary<string, AcmeErrorType> ErrorTypes =
        Enum.GetValues<AcmeErrorType>().ToDictionary(t => t.Name(), StringComparer.Ordinal);

    private static KithException Unknown(string what, string text) =>
        new($"the ACME tables hold an unknown {what} '{text}': this kith is older than the one that wrote them; upgrade kith");

    /// <summary>Every status enum's members are single words, so the lower-cased member name is the RFC name.</summary>
    private static class Words<T>
        where T : struct, Enum
    {
        private static readonly Dictionary<T, string> ByValue =
            Enum.GetValues<T>().ToDictionary(v => v, v => v.ToString().ToLowerInvariant());

        private static readonly Dictionary<string, T> ByWord =
            ByValue.ToDictionary(p => p.Value, p => p.Key, StringComparer.Ordinal);

        public static string Encode(T value) =>
            ByValue.TryGetValue(value, out string? word)
                ? word
                : throw new ArgumentOutOfRangeException(nameof(value), value, $"not a defined {typeof(T).Name}");

        public static T Decode(string text, string what) =>
            ByWord.TryGetValue(text, out var value) ? value : throw Unknown(what, text);
    }
}
