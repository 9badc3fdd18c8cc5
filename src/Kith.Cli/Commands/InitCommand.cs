using System.CommandLine;
using Kith.Cli.Output;
using Kith.Files;
using Kith.Inventory;
using Kith.Operator;
using Kith.Pki;
using Kith.Storage;

namespace Kith.Cli.Commands;

/// <summary><c>kith init</c>: the state folder, the Root CA and a kith.yaml skeleton. Idempotent.</summary>
internal static class InitCommand
{
    private static readonly Option<string> Domain = new("--domain")
    {
        Description = "Fleet domain for a new kith.yaml (ignored when the inventory exists)",
        DefaultValueFactory = _ => "home.arpa",
    };

    public static Command Create(TextWriter output)
    {
        var command = new Command("init", "Create the state folder, the Root CA (encrypted key) and a kith.yaml skeleton; changes nothing that exists");
        command.Options.Add(Domain);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var state = GlobalOptions.StateFolder(parse);
            var inventoryPath = GlobalOptions.InventoryPath(parse);
            var (domain, ca, wroteInventory) = EnsureInventory(inventoryPath, parse.GetValue(Domain)!);

            var passphrase = GlobalOptions.Passphrase(parse);
            var created = RootStore.Create(state, domain, ca.Key, ca.RootValidity, passphrase, DateTimeOffset.UtcNow);
            var publisher = PublisherFiles.NeedsRenewal(state, DateTimeOffset.UtcNow);
            if (publisher)
            {
                using var rootCa = RootStore.Open(state, passphrase);
                PublisherFiles.Create(state, rootCa, domain, DateTimeOffset.UtcNow);
            }

            using var root = RootStore.LoadCertificate(state);
            await using (var store = await SqliteCertificateStore.OpenAsync(state.Database, cancellationToken))
            {
                var serial = root.SerialNumber.ToLowerInvariant();
                if (!await store.SerialExistsAsync("root", serial, cancellationToken))
                {
                    await store.RecordAsync([new CertificateRecord("root", serial, CertificateKind.RootCa, [], null, null, root.NotBefore.ToUniversalTime(), root.NotAfter.ToUniversalTime(), Der: root.RawData)], cancellationToken);
                }
            }

            // An empty Root CRL from the start, so every agent serves one at /crl/root.crl (docs/revoke.md);
            // a state folder made before revocation existed gets its first one here too.
            var crl = !File.Exists(state.RootCrl);
            if (crl)
            {
                using var rootCa = RootStore.Open(state, passphrase);
                await using var store = await SqliteCertificateStore.OpenAsync(state.Database, cancellationToken);
                await CrlFile.SignAsync(state.RootCrl, rootCa, store, DateTimeOffset.UtcNow, cancellationToken);
            }

            await output.WriteLineAsync(wroteInventory ? $"inventory  {inventoryPath}: created (edit it, then run `kith plan`)" : $"inventory  {inventoryPath}: exists, unchanged");
            await output.WriteLineAsync(created ? $"root CA    {DisplayPath.Of(state.RootCertificate)}: created" : $"root CA    {DisplayPath.Of(state.RootCertificate)}: exists, unchanged");
            await output.WriteLineAsync($"           {root.Subject}, valid until {root.NotAfter.ToUniversalTime():yyyy-MM-dd}, SHA-256 {Convert.ToHexString(root.GetCertHash(System.Security.Cryptography.HashAlgorithmName.SHA256))}");
            await output.WriteLineAsync(publisher ? $"publisher  {DisplayPath.Of(state.PublisherCertificate)}: created (signs the fleet state)" : $"publisher  {DisplayPath.Of(state.PublisherCertificate)}: exists, unchanged");
            await output.WriteLineAsync(crl ? $"root CRL   {DisplayPath.Of(state.RootCrl)}: created (empty)" : $"root CRL   {DisplayPath.Of(state.RootCrl)}: exists, unchanged");
            await output.WriteLineAsync($"store      {DisplayPath.Of(state.Database)}");
            if (!created && !wroteInventory && !publisher && !crl)
            {
                await output.WriteLineAsync("nothing changed");
            }

            return KithCli.Success;
        });
        return command;
    }

    private static (string Domain, CaSettings Ca, bool Wrote) EnsureInventory(string path, string domainOption)
    {
        if (File.Exists(path) || Directory.Exists(path))
        {
            var inventory = InventoryLoader.LoadFile(path);
            return (inventory.Domain, inventory.Ca, false);
        }

        if (!DnsName.TryNormalize(domainOption, out var domain, out var problem))
        {
            throw new KithException($"--domain '{domainOption}': {problem}");
        }

        AtomicFile.WriteText(path, Skeleton(domain), AtomicFile.PublicMode);
        return (domain, CaSettings.Default, true);
    }

    private static string Skeleton(string domain) => $"""
        # kith inventory: see docs/inventory.md and examples/homelab.yaml for every field.
        domain: {domain}

        ca:
          key: {CaSettings.Default.Key.ToInventoryName()}
          leaf_validity: 7d
          name_constraints: endpoints

        machines:
          server1:
            addresses: [192.0.2.10]

        services:
          web:
            machine: server1
            endpoints: [web.{domain}]
        """ + "\n";
}
