using System.CommandLine;
using Kith.Cli.Output;
using Kith.Files;
using Kith.Operator;
using Kith.Storage;

namespace Kith.Cli.Commands;

/// <summary><c>kith machine sign</c>, on the operator: sign a machine's Host CA from the CSR its agent made.</summary>
internal static class MachineCommand
{
    private static readonly Argument<string> Name = new("name")
    {
        Description = "The machine, as named in the inventory",
    };

    private static readonly Option<string> Request = new("--csr")
    {
        Description = "The CSR `kith agent init` made on the machine",
        Required = true,
    };

    private static readonly Option<string?> Output = new("--out")
    {
        Description = "Also copy the signed Host CA certificate here (to take to the machine)",
    };

    public static Command Create(TextWriter output)
    {
        var command = new Command("machine", "Operator side of enrollment: machines whose Host CA key lives on the machine");
        var sign = new Command("sign", "Sign a machine's Host CA from its CSR (opens the Root); the machine becomes agent-managed");
        sign.Arguments.Add(Name);
        sign.Options.Add(Request);
        sign.Options.Add(Output);
        sign.SetAction(async (parse, cancellationToken) =>
        {
            var inventory = GlobalOptions.LoadInventory(parse);
            var state = GlobalOptions.StateFolder(parse);
            RootStore.LoadCertificate(state).Dispose();
            var machine = parse.GetValue(Name)!;
            await using var store = await SqliteCertificateStore.OpenAsync(state.Database, cancellationToken);
            var result = await MachineEnrollment.SignAsync(inventory, state, store, GlobalOptions.Passphrase(parse), TimeProvider.System, machine, parse.GetValue(Request)!, cancellationToken);
            await output.WriteLineAsync($"host CA    {DisplayPath.Of(result.CertificatePath)}: signed for machine {machine}, valid until {result.NotAfter:yyyy-MM-dd}");
            await output.WriteLineAsync($"           key SHA256:{result.KeyFingerprint} (lives on {machine}: the machine is agent-managed)");
            if (result.RemovedOperatorKey)
            {
                await output.WriteLineAsync($"           the operator's all-in-one key for {machine} was removed: the machine's own key replaces it");
            }

            if (parse.GetValue(Output) is { } copy)
            {
                AtomicFile.Write(copy, InputFile.ReadBytes(result.CertificatePath), AtomicFile.PublicMode);
                await output.WriteLineAsync($"copied to  {DisplayPath.Of(Path.GetFullPath(copy))}");
            }

            var certificateName = Path.GetFileName(parse.GetValue(Output) ?? result.CertificatePath);
            await output.WriteLineAsync($"next: copy it and root-ca.pem to {machine}, then there: `kith agent install --cert {certificateName} --root root-ca.pem`");
            return KithCli.Success;
        });
        command.Subcommands.Add(sign);
        return command;
    }
}
