using System.CommandLine;

namespace Kith.Cli.Commands;

/// <summary>
/// <c>kith revoke SERIAL | --name NAME | --machine M [--reason R]</c>: on the operator (docs/revoke.md), or with
/// <c>--dir</c> on a machine, in its agent's store.
/// </summary>
internal static class RevokeCommand
{
    public static Command Create(TextWriter output)
    {
        var serial = new Argument<string?>("serial")
        {
            Description = "The serial (hex) of the certificate to revoke",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var name = new Option<string?>("--name") { Description = "Revoke the certificates carrying this DNS name" };
        var machine = new Option<string?>("--machine") { Description = "On the operator: revoke this machine's Host CA; with SERIAL or --name: the machine whose certificate it is" };
        var reason = new Option<string?>("--reason") { Description = "unspecified (default), keyCompromise, affiliationChanged, superseded, cessationOfOperation, privilegeWithdrawn; caCompromise for a Host CA" };
        var dir = new Option<string?>("--dir") { Description = "On a machine: revoke in this agent folder's store" };
        var command = new Command("revoke", "Revoke a certificate (SERIAL or --name) or a machine's Host CA (--machine)");
        command.Arguments.Add(serial);
        command.Options.Add(name);
        command.Options.Add(machine);
        command.Options.Add(reason);
        command.Options.Add(dir);
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (parse.GetValue(dir) is not null)
            {
                // rev-core: the machine path (`kith revoke --dir`) goes here.
                throw new KithException("kith revoke --dir: revoking on a machine is not in this build");
            }

            return await OperatorRevokeAction.RunAsync(parse, parse.GetValue(serial), parse.GetValue(name), parse.GetValue(machine), parse.GetValue(reason), output, cancellationToken);
        });
        return command;
    }
}
