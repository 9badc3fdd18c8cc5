using System.CommandLine;
using Kith.Agent;
using Kith.Cli.Output;
using Kith.Enrollment;
using Kith.Pki;

namespace Kith.Cli.Commands;

/// <summary>
/// <c>kith agent init|install</c>, run on the machine: make the Host CA key and its CSR there, then install
/// the certificate the operator signed. The key never leaves the machine.
/// </summary>
internal static class AgentCommand
{
    private static readonly Option<string?> Folder = new("--dir")
    {
        Description = $"The agent's folder. Default: ${AgentFolder.EnvironmentVariable} or {AgentFolder.DefaultPath}",
        Recursive = true,
    };

    private static readonly Option<string> Machine = new("--machine", "-m")
    {
        Description = "This machine's name in the inventory (one DNS label)",
        Required = true,
    };

    private static readonly Option<string> Key = KeyOption();

    private static readonly Option<string> Certificate = new("--cert")
    {
        Description = "The Host CA certificate `kith machine sign` produced",
        Required = true,
    };

    private static readonly Option<string?> Root = new("--root")
    {
        Description = "The Root certificate (root-ca.pem): check that the Host CA chains to it, and keep it as the agent's trust anchor",
    };

    private static readonly Option<string?> Config = new("--config")
    {
        Description = $"The agent's config file (docs/agent.md). Default: {AgentOptions.DefaultConfigPath}; a missing default file is fine",
    };

    private static readonly Option<string[]> Listen = new("--listen")
    {
        Description = $"HTTPS address to listen on, ADDRESS:PORT (repeatable). Default: the config's listen, else {AgentOptions.DefaultListen}",
        AllowMultipleArgumentsPerToken = false,
    };

    public static Command Create(TextWriter output)
    {
        var command = new Command("agent", "On a machine: its Host CA key and certificate (the key is made here and never leaves)");
        command.Options.Add(Folder);
        command.Subcommands.Add(CreateInit(output));
        command.Subcommands.Add(CreateInstall(output));
        command.Subcommands.Add(CreateRun());
        return command;
    }

    private static Option<string> KeyOption()
    {
        var option = new Option<string>("--key")
        {
            Description = "Key type of a new Host CA key: ecdsa-p256, ecdsa-p384 or rsa-3072",
            DefaultValueFactory = _ => "ecdsa-p256",
        };
        option.AcceptOnlyFromAmong("ecdsa-p256", "ecdsa-p384", "rsa-3072");
        return option;
    }

    private static Command CreateInit(TextWriter output)
    {
        var command = new Command("init", "Make this machine's Host CA key (0600) and its CSR; keeps a key that exists");
        command.Options.Add(Machine);
        command.Options.Add(Key);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var folder = AgentFolder.Resolve(parse.GetValue(Folder));
            var machine = parse.GetValue(Machine)!;
            var algorithm = parse.GetValue(Key) switch
            {
                "ecdsa-p384" => KeyAlgorithm.EcdsaP384,
                "rsa-3072" => KeyAlgorithm.Rsa3072,
                _ => KeyAlgorithm.EcdsaP256,
            };
            var result = folder.Init(machine, algorithm);
            await output.WriteLineAsync(result.KeyCreated
                ? $"host CA key  {DisplayPath.Of(folder.HostCaKey)}: created ({result.Algorithm.ToInventoryName()}, 0600)"
                : $"host CA key  {DisplayPath.Of(folder.HostCaKey)}: exists, kept ({result.Algorithm.ToInventoryName()})");
            await output.WriteLineAsync(result.RequestWritten
                ? $"CSR          {DisplayPath.Of(folder.HostCaRequest)}: written"
                : $"CSR          {DisplayPath.Of(folder.HostCaRequest)}: exists, unchanged");
            await output.WriteLineAsync($"next: copy {DisplayPath.Of(folder.HostCaRequest)} to the operator and run `kith machine sign {machine} --csr FILE --out host-ca.pem`,");
            await output.WriteLineAsync($"      then here: `kith agent install --cert host-ca.pem --root root-ca.pem`");
            return KithCli.Success;
        });
        return command;
    }

    private static Command CreateRun()
    {
        var command = new Command("run", "Run the agent: HTTPS with a certificate from this machine's Host CA, /healthz, /state, /metrics");
        command.Options.Add(Config);
        command.Options.Add(Listen);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var options = AgentOptions.Load(parse.GetValue(Config), parse.GetValue(Folder), parse.GetValue(Listen));
            await AgentHost.RunAsync(options, cancellationToken);
            return KithCli.Success;
        });
        return command;
    }

    private static Command CreateInstall(TextWriter output)
    {
        var command = new Command("install", "Install the signed Host CA certificate after checking it certifies this machine's key");
        command.Options.Add(Certificate);
        command.Options.Add(Root);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var folder = AgentFolder.Resolve(parse.GetValue(Folder));
            using var certificate = folder.Install(parse.GetValue(Certificate)!, parse.GetValue(Root), DateTimeOffset.UtcNow);
            await output.WriteLineAsync($"host CA      {DisplayPath.Of(folder.HostCaCertificate)}: installed");
            await output.WriteLineAsync($"             {certificate.Subject}, valid until {certificate.NotAfter.ToUniversalTime():yyyy-MM-dd}{(parse.GetValue(Root) is null ? string.Empty : ", chains to the Root")}");
            if (parse.GetValue(Root) is not null)
            {
                await output.WriteLineAsync($"root         {DisplayPath.Of(folder.RootCertificate)}: kept (the agent's trust anchor for fleet states)");
            }
            return KithCli.Success;
        });
        return command;
    }
}
