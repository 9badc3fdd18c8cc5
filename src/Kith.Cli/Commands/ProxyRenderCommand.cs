using System.CommandLine;
using System.Net;
using System.Text;
using Kith.Cli.Output;
using Kith.Files;
using Kith.Fleet;
using Kith.Operator;
using Kith.Proxy;

namespace Kith.Cli.Commands;

/// <summary>
/// <c>kith proxy render</c>: one machine's nginx include or Caddyfile from the inventory, the same config its agent
/// writes (docs/proxy.md, "kith proxy render"). Needs no Root: only paths go into the config.
/// </summary>
internal static class ProxyRenderCommand
{
    /// <summary>Where the agent keeps the Root certificate on a machine.</summary>
    public const string DefaultRootCertificate = "/var/lib/kith/root-ca.pem";

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    private static readonly string DefaultOcsp = $"http://127.0.0.1:{FleetPolicy.RevocationPort}/ocsp";

    public static Command Create(TextWriter output, TextWriter error)
    {
        var machine = new Option<string>("--machine") { Description = "The machine, as named in the inventory", Required = true };
        var format = new Option<string>("--for") { Description = "nginx (an http-context include for conf.d) or caddy (a whole Caddyfile)", Required = true };
        format.AcceptOnlyFromAmong("nginx", "caddy");
        var outOption = new Option<string?>("--out", "-o") { Description = "Write to this file (atomically, mode 0644) instead of stdout" };
        var root = new Option<string>("--root-cert")
        {
            Description = "The kith Root certificate on that machine (mTLS clients and backends are verified against it)",
            DefaultValueFactory = _ => DefaultRootCertificate,
        };
        var filesRoot = new Option<string?>("--files-root") { Description = "A folder the endpoint folders are under on that machine (the agent's files_root). Default: none" };
        root.Validators.Add(NotEmpty);
        filesRoot.Validators.Add(NotEmpty);
        var listen = new Option<string[]>("--listen")
        {
            Description = "An IP address to listen on (repeatable). Default: every address",
            AllowMultipleArgumentsPerToken = false,
        };
        listen.Validators.Add(result =>
        {
            foreach (var address in result.GetValueOrDefault<string[]>() ?? [])
            {
                // IPAddress.TryParse also takes "10.1" and scoped IPv6; a listen line wants the plain literal.
                if (!IPAddress.TryParse(address, out var parsed) || address.Contains('%', StringComparison.Ordinal)
                    || (parsed.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && parsed.ToString() != address))
                {
                    result.AddError($"--listen {address}: not an IP address; give one like 100.64.0.10 or fd00::10 (no port, no brackets)");
                }
            }
        });
        var nginx = new Option<string?>("--nginx") { Description = "The nginx binary whose `nginx -V` says what it supports. Default: nginx when installed, else the baseline of Debian 12's nginx 1.22.1" };
        var command = new Command("render", "Print a machine's nginx or Caddy config for its proxied services (and, on an edge, the public ones it forwards)");
        command.Options.Add(machine);
        command.Options.Add(format);
        command.Options.Add(outOption);
        command.Options.Add(root);
        command.Options.Add(filesRoot);
        command.Options.Add(listen);
        command.Options.Add(nginx);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var inventory = GlobalOptions.LoadInventory(parse);
            var name = parse.GetValue(machine)!.ToLowerInvariant();
            if (inventory.FindMachine(name) is null)
            {
                throw new KithException($"--machine {parse.GetValue(machine)}: not in the inventory; machines: {string.Join(", ", inventory.Machines.Select(m => m.Name))}");
            }

            var state = FleetStateBuilder.Build(inventory, _ => null, trustBundle: string.Empty, 0, DateTimeOffset.UtcNow);
            var paths = new ProxyPaths(Path.GetFullPath(parse.GetValue(root)!), FullPathOrNull(parse.GetValue(filesRoot)), DefaultOcsp, parse.GetValue(listen) ?? []);
            var chosen = Enum.Parse<ProxyFormat>(parse.GetValue(format)!, ignoreCase: true);
            var config = ProxyPlan.ForMachine(state, name, chosen, paths);
            string? note = null;
            var text = chosen == ProxyFormat.Nginx
                ? NginxConfig.Render(config, Features(parse.GetValue(nginx), ref note))
                : CaddyConfig.Render(config);
            var path = parse.GetValue(outOption);
            if (path is null)
            {
                await output.WriteAsync(text);
            }
            else
            {
                AtomicFile.Write(path, Utf8.GetBytes(text), AtomicFile.PublicMode);
                await output.WriteLineAsync($"wrote {DisplayPath.Of(path)}");
            }

            // Notes come after the output so a failure above stays the one line the user sees.
            if (note is not null)
            {
                await error.WriteLineAsync($"kith: note: {note}");
            }

            if (config.Sites.Count == 0)
            {
                await error.WriteLineAsync($"kith: note: machine {name} has no service with proxy: {parse.GetValue(format)} and an upstream, and is no service's edge; the config only turns unknown names away");
            }

            return KithCli.Success;
        });
        return command;
    }

    // An nginx named with --nginx must run; the default one may be missing (rendering on the operator's laptop).
    private static NginxFeatures Features(string? nginx, ref string? note)
    {
        if (nginx is not null)
        {
            return NginxFeaturesReader.Detect(nginx);
        }

        try
        {
            return NginxFeaturesReader.Detect();
        }
        catch (KithException e)
        {
            note = $"{e.Message.Split(';')[0]}; rendered for the baseline nginx 1.22.1 (no HTTP/3); pass --nginx PATH to render for another";
            return NginxFeaturesReader.Baseline;
        }
    }

    private static void NotEmpty(System.CommandLine.Parsing.OptionResult result)
    {
        if (result.Tokens.Any(token => token.Value.Trim().Length == 0))
        {
            result.AddError($"{result.Option.Name}: empty; give a path");
        }
    }

    private static string? FullPathOrNull(string? path) => path is null ? null : Path.GetFullPath(path);
}
