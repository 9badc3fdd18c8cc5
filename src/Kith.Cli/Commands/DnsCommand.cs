using System.CommandLine;

namespace Kith.Cli.Commands;

/// <summary><c>kith dns</c>: the fleet's DNS (docs/dns.md).</summary>
internal static class DnsCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var command = new Command("dns", "The fleet's DNS: zones, resolver snippets");
        command.Subcommands.Add(DnsResolverCommand.Create(output, error));
        return command;
    }
}
