using System.CommandLine;

namespace Kith.Cli.Commands;

/// <summary><c>kith dns</c>: the fleet's DNS (docs/dns.md).</summary>
internal static class DnsCommand
{
    public static Command Create(TextWriter output)
    {
        var command = new Command("dns", "The fleet's DNS: zones, resolver snippets, TSIG keys for dynamic updates");
        command.Subcommands.Add(DnsTsigKeyCommand.Create(output));
        return command;
    }
}
