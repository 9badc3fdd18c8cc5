using Kith.Storage;

namespace Kith.Cli.Commands;

/// <summary>
/// The status list shows: revoked, expired, superseded (a newer certificate exists for the same service
/// or Host CA), renew-due (past two thirds of its life), or valid. CAs come first.
/// </summary>
internal static class CertificateStatus
{
    public static List<(CertificateRecord Record, string Status)> Classify(IReadOnlyList<CertificateRecord> records, DateTimeOffset now, bool includeInactive)
    {
        var latest = new Dictionary<(string?, string?, CertificateKind), CertificateRecord>();
        foreach (var record in records)
        {
            if (record.Kind == CertificateKind.RootCa || record.IsRevoked || (record.Service is null && record.Kind != CertificateKind.HostCa))
            {
                continue;
            }

            var key = (record.Machine, record.Service, record.Kind);
            if (!latest.TryGetValue(key, out var current) || record.NotBefore >= current.NotBefore)
            {
                latest[key] = record;
            }
        }

        var rows = new List<(CertificateRecord, string)>(records.Count);
        foreach (var record in records)
        {
            var status = StatusOf(record, now, latest);
            if (includeInactive || status is "valid" or "renew-due")
            {
                rows.Add((record, status));
            }
        }

        return [.. rows.OrderBy(r => Rank(r.Item1.Kind))];
    }

    private static string StatusOf(CertificateRecord record, DateTimeOffset now, Dictionary<(string?, string?, CertificateKind), CertificateRecord> latest)
    {
        if (record.IsRevoked)
        {
            return "revoked";
        }

        if (record.NotAfter <= now)
        {
            return "expired";
        }

        if (latest.TryGetValue((record.Machine, record.Service, record.Kind), out var newest) && !ReferenceEquals(newest, record))
        {
            return "superseded";
        }

        var renewal = record.NotBefore + ((record.NotAfter - record.NotBefore) * 2 / 3);
        return now >= renewal ? "renew-due" : "valid";
    }

    private static int Rank(CertificateKind kind) => kind switch
    {
        CertificateKind.RootCa => 0,
        CertificateKind.HostCa => 1,
        _ => 2,
    };
}
