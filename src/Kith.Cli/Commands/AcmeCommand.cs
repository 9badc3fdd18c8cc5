using System.CommandLine;
using Kith.Cli.Output;
using Kith.Enrollment;
using Kith.Storage;

namespace Kith.Cli.Commands;

/// <summary>
/// <c>kith acme</c>, on a machine: the agent's ACME server's External Account Binding keys
/// (<see cref="AcmeEabCommand"/>) and the certificates it issued.
/// </summary>
internal static class AcmeCommand
{
    /// <summary>The issuance log's service name for certificates issued over ACME.</summary>
    public const string Service = "acme";

    internal static readonly Option<string?> Folder = new("--dir")
    {
        Description = $"The agent's folder. Default: ${AgentFolder.EnvironmentVariable} or {AgentFolder.DefaultPath}",
        Recursive = true,
    };

    public static Command Create(TextWriter output)
    {
        var command = new Command("acme", "On a machine: the agent's ACME server (External Account Binding keys, issued certificates)");
        command.Options.Add(Folder);
        command.Subcommands.Add(AcmeEabCommand.Create(output));
        command.Subcommands.Add(CreateCertificates(output));
        return command;
    }

    /// <summary>The agent folder named by --dir (or its default), which must exist.</summary>
    internal static AgentFolder ExistingFolder(ParseResult parse)
    {
        var folder = AgentFolder.Resolve(parse.GetValue(Folder));
        if (!Directory.Exists(folder.Path))
        {
            throw new KithException($"{folder.Path}: no agent folder here; run `kith agent init` on this machine first, or name the folder with --dir");
        }

        return folder;
    }

    private static Command CreateCertificates(TextWriter output)
    {
        var command = new Command("certificates", "List the certificates the agent issued over ACME: serial, names, expiry, revocation");
        command.SetAction(async (parse, cancellationToken) =>
        {
            var folder = ExistingFolder(parse);
            IReadOnlyList<CertificateRecord> records = [];

            // No kith.db yet: the agent has issued nothing; do not create one just to say so.
            if (File.Exists(folder.Store))
            {
                await using var store = await SqliteCertificateStore.OpenAsync(folder.Store, cancellationToken);
                records = await store.ListAsync(new CertificateQuery(Service: Service, IncludeRevoked: true), cancellationToken);
            }

            if (parse.GetValue(GlobalOptions.Json))
            {
                JsonOutput.Write(output, records.Select(ToJson).ToList(), KithJsonContext.Default.ListAcmeCertificateJson);
                return KithCli.Success;
            }

            var table = new TextTable("SERIAL", "NAMES", "NOT AFTER", "REVOKED");
            foreach (var record in records)
            {
                table.Add(
                    record.SerialHex,
                    record.Names.Count == 0 ? "-" : string.Join(",", record.Names),
                    record.NotAfter.ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture),
                    record.RevokedAt is { } at ? $"{at:yyyy-MM-dd} ({ReasonWord(record.RevocationReason)})" : "-");
            }

            table.WriteTo(output);
            await output.WriteLineAsync($"{table.Count} certificate(s)");
            return KithCli.Success;
        });
        return command;
    }

    private static AcmeCertificateJson ToJson(CertificateRecord r) =>
        new(r.SerialHex, r.Issuer, r.Names, r.NotBefore, r.NotAfter, r.IsRevoked, r.RevokedAt, r.IsRevoked ? ReasonWord(r.RevocationReason) : null);

    /// <summary>The RFC 5280 spelling: keyCompromise, cessationOfOperation, …</summary>
    private static string ReasonWord(RevocationReason? reason)
    {
        var text = (reason ?? RevocationReason.Unspecified).ToString();
        return char.ToLowerInvariant(text[0]) + text[1..];
    }
}
