using System.CommandLine;
using Kith.Cli.Output;
using Kith.Operator;
using Kith.Storage;

namespace Kith.Cli.Commands;

/// <summary>
/// <c>kith revoke</c> on the operator (without <c>--dir</c>): <see cref="OperatorRevocation"/>, then a new signed
/// fleet state (the path apply takes), then what to do next (docs/revoke.md).
/// </summary>
internal static class OperatorRevokeAction
{
    /// <param name="serial">The SERIAL argument, or null.</param>
    /// <param name="name">--name, or null.</param>
    /// <param name="machine">--machine, or null.</param>
    /// <param name="reason">--reason, or null for unspecified.</param>
    public static async Task<int> RunAsync(ParseResult parse, string? serial, string? name, string? machine, string? reason, TextWriter output, CancellationToken cancellationToken)
    {
        if (serial is not null && name is not null)
        {
            throw new KithException("give a SERIAL or --name NAME, not both");
        }

        if (serial is null && name is null && machine is null)
        {
            throw new KithException("say what to revoke: SERIAL, --name NAME, or --machine M (the machine's Host CA)");
        }

        var inventory = GlobalOptions.LoadInventory(parse);
        var state = GlobalOptions.StateFolder(parse);
        RootStore.LoadCertificate(state).Dispose();
        OperatorRevocationResult result;
        await using (var store = await SqliteCertificateStore.OpenAsync(state.Database, cancellationToken))
        await using (var requests = await SqliteRevocationRequestStore.OpenAsync(state.Database, cancellationToken))
        {
            var revocation = new OperatorRevocation(inventory, state, store, requests, GlobalOptions.Passphrase(parse), TimeProvider.System);
            result = serial is not null
                ? await revocation.RevokeSerialAsync(serial, machine, reason, cancellationToken)
                : name is not null
                    ? await revocation.RevokeNameAsync(name, machine, reason, cancellationToken)
                    : await revocation.RevokeMachineAsync(machine!, reason, cancellationToken);
        }

        foreach (var line in result.Done)
        {
            await output.WriteLineAsync(line);
        }

        var written = await FleetStatePublication.WriteAsync(inventory, state, DateTimeOffset.UtcNow, cancellationToken);
        await output.WriteLineAsync($"fleet state {DisplayPath.Of(state.FleetState)}: version {written.Version}{(written.Changed ? ", written" : ", unchanged")}");
        if (written.Changed)
        {
            await output.WriteLineAsync("next: `kith publish` brings it to the agents (each also pulls it from its peers)");
        }

        if (serial is null && name is null && machine is not null)
        {
            await output.WriteLineAsync(state.IsAgentManaged(machine)
                ? $"next: {machine}'s Host CA key is blocked: re-enroll {machine} with a new key (there: remove host-ca.key, `kith agent init --machine {machine}`; here: `kith machine sign {machine} --csr FILE`), or remove it from {inventory.SourcePath}; until then `kith apply` refuses to sign it"
                : $"next: `kith apply` makes {machine} a new Host CA key and issues its certificates again");
        }

        return KithCli.Success;
    }
}
