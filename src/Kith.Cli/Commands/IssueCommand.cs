using System.CommandLine;
using System.Net;
using Kith.Cli.Output;
using Kith.Files;
using Kith.Inventory;
using Kith.Operator;
using Kith.Pki;
using Kith.Storage;

namespace Kith.Cli.Commands;

/// <summary><c>kith issue</c>: a one-off server or client certificate from a machine's Host CA.</summary>
internal static class IssueCommand
{
    private static readonly Argument<string[]> Names = new("names")
    {
        Description = "DNS names for the certificate (the first is also its CN)",
        Arity = ArgumentArity.OneOrMore,
    };

    private static readonly Option<string> Machine = new("--machine", "-m")
    {
        Description = "The machine whose Host CA signs (the names must be within its constraints)",
        Required = true,
    };

    private static readonly Option<string> Kind = new("--kind")
    {
        Description = "server, client or both",
        DefaultValueFactory = _ => "server",
    };

    private static readonly Option<string[]> Addresses = new("--ip")
    {
        Description = "IP addresses to add as SANs (must be the machine's)",
        AllowMultipleArgumentsPerToken = true,
    };

    private static readonly Option<string?> Validity = new("--validity")
    {
        Description = "Lifetime, e.g. 7d (default: the inventory's leaf_validity)",
    };

    private static readonly Option<string?> Folder = new("--out")
    {
        Description = "Folder for cert.pem, key.pem, chain.pem, fullchain.pem, full.pem (default: ./<first name>)",
    };

    private static readonly Option<bool> AllowWildcard = new("--allow-wildcard")
    {
        Description = "Permit a *.name wildcard",
    };

    public static Command Create(TextWriter output)
    {
        var command = new Command("issue", "Issue a one-off certificate from a machine's Host CA and write its files");
        command.Arguments.Add(Names);
        command.Options.Add(Machine);
        command.Options.Add(Kind);
        command.Options.Add(Addresses);
        command.Options.Add(Validity);
        command.Options.Add(Folder);
        command.Options.Add(AllowWildcard);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var inventory = GlobalOptions.LoadInventory(parse);
            var state = GlobalOptions.StateFolder(parse);
            var machineName = parse.GetValue(Machine)!;
            _ = inventory.FindMachine(machineName) ?? throw new KithException($"--machine: '{machineName}' is not in {inventory.SourcePath} (machines: {string.Join(", ", inventory.Machines.Select(m => m.Name))})");
            var usage = ParseUsage(parse.GetValue(Kind)!);
            var allowWildcard = parse.GetValue(AllowWildcard);
            var names = NormalizeNames(parse.GetValue(Names)!, allowWildcard);
            var addresses = (parse.GetValue(Addresses) ?? []).Select(ParseAddress).ToList();
            var lifetime = parse.GetValue(Validity) is { } text
                ? Inventory.Duration.Parse(text, out var problem) ?? throw new KithException($"--validity: {problem}")
                : inventory.Ca.LeafValidity;

            using var root = RootStore.LoadCertificate(state);
            using var ca = HostCaFiles.Open(state, inventory, machineName, root.PublicKey.ExportSubjectPublicKeyInfo());
            using var issuer = new LeafIssuer(ca);
            using var key = Keys.Create(inventory.Ca.Key);
            var now = DateTimeOffset.UtcNow;
            var notAfter = now + lifetime < ca.NotAfter ? now + lifetime : ca.NotAfter;
            var prepared = issuer.Prepare(new LeafRequest(names, addresses, usage, key.ExportSubjectPublicKeyInfo(), now - CertificateValidity.Backdate, notAfter, allowWildcard));
            var folder = Path.GetFullPath(parse.GetValue(Folder) ?? names[0].Replace('*', '_'));
            try
            {
                // Before signing: a certificate logged as issued must have its files written.
                Directory.CreateDirectory(folder);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new KithException($"--out {folder}: cannot create the folder for the certificate files ({e.Message})");
            }

            var issued = issuer.Sign(prepared);

            await using (var store = await SqliteCertificateStore.OpenAsync(state.Database, cancellationToken))
            {
                var kind = usage switch { CertificateUsage.Client => CertificateKind.Client, CertificateUsage.Both => CertificateKind.Both, _ => CertificateKind.Server };
                await store.RecordAsync([new CertificateRecord(ca.Name, issued.SerialHex, kind, issued.Names, machineName, null, issued.NotBefore, issued.NotAfter, Der: issued.Der)], cancellationToken);
            }

            var files = new EndpointFiles(issued.ToPem(), PrivateKeyPem.Export(key), Pem.Encode("CERTIFICATE", ca.Certificate.RawData));
            foreach (var (name, content, secret) in files.All())
            {
                AtomicFile.WriteText(Path.Combine(folder, name), content, secret ? AtomicFile.PrivateMode : AtomicFile.PublicMode);
            }

            await output.WriteLineAsync($"issued {usage.ToString().ToLowerInvariant()} certificate {issued.SerialHex} for {string.Join(", ", names.Concat(addresses.Select(a => a.ToString())))}");
            await output.WriteLineAsync($"  from Host CA '{ca.Name}', valid until {issued.NotAfter:u}");
            await output.WriteLineAsync($"  files in {DisplayPath.Of(folder)}: cert.pem key.pem chain.pem fullchain.pem full.pem");
            return KithCli.Success;
        });
        return command;
    }

    private static CertificateUsage ParseUsage(string text) => text switch
    {
        "server" => CertificateUsage.Server,
        "client" => CertificateUsage.Client,
        "both" => CertificateUsage.Both,
        _ => throw new KithException($"--kind: '{text}' is not one of server, client, both"),
    };

    private static List<string> NormalizeNames(string[] names, bool allowWildcard)
    {
        var normalized = new List<string>();
        foreach (var name in names)
        {
            if (!DnsName.TryNormalize(name, out var value, out var problem, allowWildcard))
            {
                throw new KithException($"name '{name}': {problem}");
            }

            normalized.Add(value);
        }

        return normalized;
    }

    private static IPAddress ParseAddress(string text) =>
        IPAddress.TryParse(text, out var address) ? address : throw new KithException($"--ip: '{text}' is not an IP address");
}
