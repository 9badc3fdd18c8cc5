using System.CommandLine;

namespace Kith.Cli.Commands;

/// <summary><c>kith proxy</c>: the reverse proxy configs kith generates (docs/proxy.md). Each subcommand lives in its own file.</summary>
internal static class ProxyCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var command = new Command("proxy", "The reverse proxy configs (nginx, Caddy) for the fleet's services");
        command.Subcommands.Add(ProxyRenderCommand.Create(output, error));
        return command;
    }
}
