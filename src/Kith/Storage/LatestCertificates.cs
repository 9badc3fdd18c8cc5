namespace Kith.Storage;

/// <summary>
/// The newest certificate of each subject (machine, service, kind) among logged records, the rule
/// <see cref="ICertificateStore.FindLatestAsync"/> applies to one subject: latest NotBefore wins, and a
/// later record wins a tie.
/// </summary>
public sealed class LatestCertificates
{
    private readonly Dictionary<(string? Machine, string? Service, CertificateKind Kind), CertificateRecord> latest = [];

    public LatestCertificates(IEnumerable<CertificateRecord> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        foreach (var record in records)
        {
            var key = (record.Machine, record.Service, record.Kind);
            if (!latest.TryGetValue(key, out var current) || record.NotBefore >= current.NotBefore)
            {
                latest[key] = record;
            }
        }
    }

    public CertificateRecord? Find(string? machine, string? service, CertificateKind kind) =>
        latest.GetValueOrDefault((machine, service, kind));
}
