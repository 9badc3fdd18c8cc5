using System.CommandLine;
using Kith.Dns.Resolver;
using Kith.Files;
using Kith.Fleet;

namespace Kith.Cli.Commands;

/// <summary>
/// <c>kith dns resolver --format F [-o FILE] [--port N]</c>: the resolver snippet that sends the fleet's zones to
/// its dns machines, from the inventory (the same snippet an agent with <c>resolver: F</c> keeps; docs/dns.md).
/// </summary>
internal static class DnsResolverCommand
{
    /// <summary>The options are made per command: their validators must not pile up over runs in one process (tests).</summary>
    public static Command Create(TextWriter output, TextWriter error)
    {
        var format = new Option<string>("--format")
        {
            Description = "The resolver: systemd-resolved (a resolved.conf.d drop-in), dnsmasq or unbound (a conf.d fragment)",
            Required = true,
        };
        format.AcceptOnlyFromAmong("systemd-resolved", "dnsmasq", "unbound");
        var file = new Option<string?>("--output", "-o")
        {
            Description = "Write the snippet to this file (atomically, mode 0644) instead of printing it",
        };
        var port = new Option<int>("--port")
        {
            Description = "The port the dns machines answer on",
            DefaultValueFactory = _ => ResolverTargets.DefaultPort,
        };
        port.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is < 1 or > 65535)
            {
                result.AddError("--port must be a port number between 1 and 65535");
            }
        });
        var command = new Command("resolver", "Print the resolver snippet (systemd-resolved, dnsmasq, unbound) that sends the fleet's zones to its dns machines");
        command.Options.Add(format);
        command.Options.Add(file);
        command.Options.Add(port);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var inventory = GlobalOptions.LoadInventory(parse);
            // Only names, roles and addresses are read: no Host CA, trust bundle or version is needed for that.
            var state = FleetStateBuilder.Build(inventory, _ => null, string.Empty, version: 1, DateTimeOffset.UtcNow);
            var targets = ResolverTargets.FromState(state, parse.GetValue(port))
                ?? throw new KithException($"{inventory.SourcePath}: {ResolverTargets.NoDnsMachine("inventory")}");
            var snippet = ResolverFormats.Render(ResolverFormats.Parse(parse.GetValue(format)!)!.Value, targets);
            if (parse.GetValue(file) is { } path)
            {
                try
                {
                    AtomicFile.WriteText(path, snippet, AtomicFile.PublicMode);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    throw new KithException($"-o {path}: cannot write the snippet ({e.Message})");
                }

                await error.WriteLineAsync($"wrote {path}");
                return KithCli.Success;
            }

            await output.WriteAsync(snippet);
            return KithCli.Success;
        });
        return command;
    }
}
