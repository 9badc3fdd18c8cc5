using System.CommandLine;
using Kith.Enrollment;
using Kith.Revocation;

namespace Kith.Cli.Commands;

/// <summary>
/// <c>kith revoke</c> (docs/revocation.md). With <c>--dir</c>, on a machine: revokes in the agent folder's issuance
/// log (<see cref="MachineRevocation"/>). Without it, on the operator.
/// </summary>
internal static class RevokeCommand
{
    private static readonly Argument<string?> Serial = new("serial")
    {
        Description = "The certificate's serial (hex, as `kith list` or `openssl x509 -serial` prints it)",
        Arity = ArgumentArity.ZeroOrOne,
    };

    private static readonly Option<string?> Name = new("--name")
    {
        Description = "Revoke every unexpired, unrevoked certificate carrying this DNS name or IP address",
    };

    private static readonly Option<string?> Reason = new("--reason")
    {
        Description = $"Why: {string.Join(", ", RevocationReasonNames.ForLeaves.Select(RevocationReasonNames.NameOf))} (default unspecified); keyCompromise also blocks the key",
    };

    private static readonly Option<string?> Folder = new("--dir")
    {
        Description = "On a machine: the agent's folder; revokes there (its agent's CRL shows it within seconds)",
    };

    public static Command Create(TextWriter output)
    {
        var command = new Command("revoke", "Revoke certificates: by SERIAL or --name; with --dir on a machine, else on the operator");
        command.Arguments.Add(Serial);
        command.Options.Add(Name);
        command.Options.Add(Reason);
        command.Options.Add(Folder);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var serial = parse.GetValue(Serial);
            var name = parse.GetValue(Name);
            if ((serial is null) == (name is null))
            {
                throw new KithException("give either a SERIAL or --name NAME (not both)");
            }

            if (parse.GetValue(Folder) is not { } dir)
            {
                // ---- Operator revocation (no --dir): the rev-operator branch replaces this line. ----
                throw new KithException("not yet: operator revocation");
            }

            var reason = RevocationReasonNames.Parse(parse.GetValue(Reason), RevocationReasonNames.ForLeaves);
            var outcomes = await MachineRevocation.RevokeAsync(new AgentFolder(Path.GetFullPath(dir)), serial, name, reason, DateTimeOffset.UtcNow, cancellationToken);
            foreach (var outcome in outcomes)
            {
                var certificate = outcome.Certificate;
                var recorded = certificate.RevocationReason is { } kept ? RevocationReasonNames.NameOf(kept) : "unspecified";
                var line = outcome.AlreadyRevoked
                    ? $"already revoked {certificate.SerialHex}  {string.Join(",", certificate.Names)}  {recorded} (since {certificate.RevokedAt:u})"
                    : $"revoked {certificate.SerialHex}  {string.Join(",", certificate.Names)}  {recorded}";
                await output.WriteLineAsync(outcome.KeyBlocked ? line + "; key blocked" : line);
            }

            return KithCli.Success;
        });
        return command;
    }
}
