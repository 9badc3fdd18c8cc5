using System.CommandLine;

namespace Kith.Cli.Commands;

/// <summary><c>kith dns</c>: the fleet's DNS zones (docs/dns.md). Each subcommand lives in its own file.</summary>
internal static class DnsCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var command = new Command("dns", "The fleet's DNS: zone files, resolver snippets, update keys");
        command.Subcommands.Add(DnsZoneCommand.Create(output, error));
        command.Subcommands.Add(DnsTsigKeyCommand.Create(output));
        command.Subcommands.Add(DnsResolverCommand.Create(output, error));
        return command;
    }
}
