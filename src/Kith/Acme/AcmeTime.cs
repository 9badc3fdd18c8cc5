using System.Globalization;

namespace Kith.Acme;

/// <summary>Times in ACME documents: RFC 3339 in UTC to the second, e.g. 2026-11-23T12:00:00Z.</summary>
internal static class AcmeTime
{
    public static string Format(DateTimeOffset value) =>
        value.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
