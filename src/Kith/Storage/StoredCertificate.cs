namespace Kith.Storage;

/// <summary>
/// How a <see cref="CertificateRecord"/> is written into columns, shared by every SQL backend so the
/// rows read the same everywhere: times as Unix seconds (X.509 times have whole-second resolution, and
/// integers make expiry range scans cheap), the kind as a stable lower-case word rather than the enum's
/// number, names one per line (a DNS name or IP address never holds a line break).
/// </summary>
internal static class StoredCertificate
{
    private const char NameSeparator = '\n';

    /// <summary>Guards a record before it is stored; names the offending member.</summary>
    public static void Validate(CertificateRecord record, string parameterName)
    {
        if (record is null)
        {
            throw new ArgumentException("the batch holds a null certificate record", parameterName);
        }

        ValidateKey(record.Issuer, record.SerialHex, parameterName);
        if (record.Names is null)
        {
            throw new ArgumentException($"certificate {record.Issuer}/{record.SerialHex}: Names is null; pass an empty list", parameterName);
        }

        foreach (string name in record.Names)
        {
            if (string.IsNullOrEmpty(name) || name.Contains(NameSeparator, StringComparison.Ordinal))
            {
                throw new ArgumentException(
                    $"certificate {record.Issuer}/{record.SerialHex}: name '{name}' is empty or holds a line break", parameterName);
            }
        }
    }

    /// <summary>Guards an (issuer, serial) key: both present, the serial lower-case hex.</summary>
    public static void ValidateKey(string issuer, string serialHex, string parameterName)
    {
        if (string.IsNullOrEmpty(issuer))
        {
            throw new ArgumentException("the issuer is empty: give \"root\" or the machine name", parameterName);
        }

        // Lower-case only, so "0A" and "0a" can never be two rows for one serial.
        if (string.IsNullOrEmpty(serialHex) || !serialHex.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f'))
        {
            throw new ArgumentException($"serial '{serialHex}' of issuer '{issuer}' is not lower-case hex", parameterName);
        }
    }

    public static string EncodeNames(IReadOnlyList<string> names) => string.Join(NameSeparator, names);

    public static IReadOnlyList<string> DecodeNames(string text) =>
        text.Length == 0 ? [] : text.Split(NameSeparator);

    public static long EncodeTime(DateTimeOffset time) => time.ToUnixTimeSeconds();

    /// <summary>The smallest whole second not before <paramref name="time"/>, for "earlier than" bounds.</summary>
    public static long EncodeTimeCeiling(DateTimeOffset time)
    {
        long seconds = time.ToUnixTimeSeconds();
        return DateTimeOffset.FromUnixTimeSeconds(seconds) < time ? seconds + 1 : seconds;
    }

    public static DateTimeOffset DecodeTime(long seconds) => DateTimeOffset.FromUnixTimeSeconds(seconds);

    public static string EncodeKind(CertificateKind kind) => kind switch
    {
        CertificateKind.RootCa => "root-ca",
        CertificateKind.HostCa => "host-ca",
        CertificateKind.Server => "server",
        CertificateKind.Client => "client",
        CertificateKind.Both => "both",
        CertificateKind.OcspSigning => "ocsp",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown certificate kind"),
    };

    public static CertificateKind DecodeKind(string text) => text switch
    {
        "root-ca" => CertificateKind.RootCa,
        "host-ca" => CertificateKind.HostCa,
        "server" => CertificateKind.Server,
        "client" => CertificateKind.Client,
        "both" => CertificateKind.Both,
        "ocsp" => CertificateKind.OcspSigning,
        _ => throw new KithException($"the issuance log holds a certificate of unknown kind '{text}': upgrade kith"),
    };

    public static int EncodeReason(RevocationReason reason) =>
        Enum.IsDefined(reason)
            ? (int)reason
            : throw new ArgumentOutOfRangeException(nameof(reason), reason, "not an RFC 5280 CRLReason kith accepts");

    public static RevocationReason DecodeReason(long code) => (RevocationReason)checked((int)code);
}
