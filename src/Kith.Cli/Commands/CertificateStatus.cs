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
        // One-off certificates (no service) and the Root are never superseded.
        var latest = new LatestCertificates(records.Where(r => !r.IsRevoked && (r.Service is not null || r.Kind == CertificateKind.HostCa)));

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

    private static string StatusOf(CertificateRecord record, DateTimeOffset now, LatestCertificates latest)
    {
        if (record.IsRevoked)
        {
            return "revoked";
        }

        if (record.NotAfter <= now)
        {
            return "expired";
        }

        if (latest.Find(record.Machine, record.Service, record.Kind) is { } newest && !ReferenceEquals(newest, record))
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
