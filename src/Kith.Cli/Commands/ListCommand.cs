using System.CommandLine;
using Kith.Cli.Output;
using Kith.Operator;
using Kith.Storage;

namespace Kith.Cli.Commands;

/// <summary><c>kith list</c>: the certificates in the issuance log, CAs first.</summary>
internal static class ListCommand
{
    private static readonly Option<string?> Expiring = new("--expiring")
    {
        Description = "Only certificates that expire within this duration (e.g. 30d)",
    };

    private static readonly Option<string?> Machine = new("--machine")
    {
        Description = "Only this machine's certificates",
    };

    private static readonly Option<bool> All = new("--all")
    {
        Description = "Also superseded, expired and revoked certificates",
    };

    public static Command Create(TextWriter output)
    {
        var command = new Command("list", "List certificates: service, type, names, issuer, expiry, status; CAs first");
        command.Options.Add(Expiring);
        command.Options.Add(Machine);
        command.Options.Add(All);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var state = GlobalOptions.StateFolder(parse);
            RootStore.LoadCertificate(state).Dispose();
            var now = DateTimeOffset.UtcNow;
            DateTimeOffset? expiringBefore = null;
            if (parse.GetValue(Expiring) is { } window)
            {
                expiringBefore = now + (Inventory.Duration.Parse(window, out var problem) ?? throw new KithException($"--expiring: {problem}"));
            }

            await using var store = await SqliteCertificateStore.OpenAsync(state.Database, cancellationToken);
            var all = parse.GetValue(All);
            var query = new CertificateQuery(Machine: parse.GetValue(Machine), ExpiringBefore: expiringBefore, IncludeRevoked: all, UnexpiredAt: all ? null : now);
            var records = await store.ListAsync(query, cancellationToken);
            var rows = CertificateStatus.Classify(records, now, all);
            if (parse.GetValue(GlobalOptions.Json))
            {
                JsonOutput.Write(output, rows.Select(r => ToJson(r.Record, r.Status)).ToList(), KithJsonContext.Default.ListCertificateJson);
                return KithCli.Success;
            }

            var table = new TextTable("SERVICE", "TYPE", "MACHINE", "NAMES", "ISSUER", "SERIAL", "EXPIRES", "STATUS");
            foreach (var (record, status) in rows)
            {
                table.Add(
                    record.Service ?? "-",
                    KindWord(record.Kind),
                    record.Machine ?? "-",
                    Names(record.Names),
                    record.Issuer,
                    record.SerialHex[..Math.Min(12, record.SerialHex.Length)],
                    $"{record.NotAfter:yyyy-MM-dd HH:mm} ({Relative(record.NotAfter - now)})",
                    status);
            }

            table.WriteTo(output);
            await output.WriteLineAsync($"{table.Count} certificate(s)");
            return KithCli.Success;
        });
        return command;
    }

    private static CertificateJson ToJson(CertificateRecord r, string status) => new(
        r.Issuer, r.SerialHex, KindWord(r.Kind), r.Names, r.Machine, r.Service, r.NotBefore, r.NotAfter, status, r.RevokedAt, r.RevocationReason?.ToString());

    private static string KindWord(CertificateKind kind) => kind switch
    {
        CertificateKind.RootCa => "root-ca",
        CertificateKind.HostCa => "host-ca",
        CertificateKind.OcspSigning => "ocsp",
        _ => kind.ToString().ToLowerInvariant(),
    };

    private static string Names(IReadOnlyList<string> names) => names.Count switch
    {
        0 => "-",
        <= 2 => string.Join(",", names),
        _ => $"{names[0]},{names[1]} (+{names.Count - 2})",
    };

    private static string Relative(TimeSpan span) => span switch
    {
        { TotalSeconds: < 0 } => "expired",
        { TotalDays: >= 2 } => $"in {span.TotalDays:0}d",
        { TotalHours: >= 1 } => $"in {span.TotalHours:0}h",
        _ => $"in {Math.Max(1, span.TotalMinutes):0}m",
    };
}
