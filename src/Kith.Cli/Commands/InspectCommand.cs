using System.CommandLine;
using System.Security.Cryptography.X509Certificates;
using Kith.Cli.Output;
using Kith.Operator;
using Kith.Pki;
using Kith.Tls;

namespace Kith.Cli.Commands;

/// <summary><c>kith inspect FILE|HOST:PORT</c>: what a certificate says, and whether it chains to the kith Root.</summary>
internal static class InspectCommand
{
    private static readonly Argument<string> Target = new("target")
    {
        Description = "A PEM or DER file, or HOST:PORT of a TLS server",
    };

    private static readonly Option<string?> ServerName = new("--servername")
    {
        Description = "SNI name to send to HOST:PORT (default: HOST)",
    };

    private static readonly Option<string> Timeout = new("--timeout")
    {
        Description = "How long to wait for HOST:PORT to connect and finish the TLS handshake",
        DefaultValueFactory = _ => "10s",
    };

    public static Command Create(TextWriter output)
    {
        var command = new Command("inspect", "Show a certificate chain (subject, SANs, validity, key, constraints, fingerprints) and verify it against the Root");
        command.Arguments.Add(Target);
        command.Options.Add(ServerName);
        command.Options.Add(Timeout);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var target = parse.GetValue(Target)!;
            var timeout = Inventory.Duration.Parse(parse.GetValue(Timeout)!, out var problem) ?? throw new KithException($"--timeout: {problem}");
            var (chain, connection) = await LoadAsync(target, parse.GetValue(ServerName), timeout, cancellationToken);
            var state = GlobalOptions.StateFolder(parse);
            var (verification, trusted) = Verify(chain, state);
            if (parse.GetValue(GlobalOptions.Json))
            {
                var json = new InspectJson(target, [.. chain.Select(c => ToJson(CertificateDescription.Of(c)))], verification, trusted);
                JsonOutput.Write(output, json, KithJsonContext.Default.InspectJson);
            }
            else
            {
                for (var i = 0; i < chain.Count; i++)
                {
                    await WriteAsync(output, i, CertificateDescription.Of(chain[i]));
                }

                if (connection is not null)
                {
                    await output.WriteLineAsync($"connection: {connection}");
                }

                await output.WriteLineAsync($"verification: {verification}");
            }

            foreach (var certificate in chain)
            {
                certificate.Dispose();
            }

            return trusted ? KithCli.Success : KithCli.Failure;
        });
        return command;
    }

    /// <summary>The certificates, and for HOST:PORT the negotiated protocol and ALPN.</summary>
    private static async Task<(List<X509Certificate2> Chain, string? Connection)> LoadAsync(string target, string? serverName, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (File.Exists(target) || Directory.Exists(target))
        {
            var chain = new List<X509Certificate2>();
            foreach (var der in Pem.ReadCertificates(target))
            {
                try
                {
                    chain.Add(X509CertificateLoader.LoadCertificate(der));
                }
                catch (System.Security.Cryptography.CryptographicException)
                {
                    throw new KithException($"{target}: certificate {chain.Count + 1} is not a valid X.509 certificate");
                }
            }

            return (chain, null);
        }

        var colon = target.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(target.AsSpan(colon + 1), out var port) || port is < 1 or > 65535)
        {
            throw new KithException($"{target}: no such file, and not HOST:PORT");
        }

        var host = target[..colon].Trim('[', ']');
        var presented = await TlsProbe.FetchAsync(host, port, serverName, timeout, cancellationToken);
        if (presented.Chain.Count == 0)
        {
            throw new KithException($"{target}: the server presented no certificate");
        }

        return ([.. presented.Chain], $"{presented.Protocol}, ALPN {presented.Alpn ?? "none"}");
    }

    private static (string Text, bool Trusted) Verify(List<X509Certificate2> chain, StateFolder state)
    {
        if (!state.HasRoot)
        {
            return ($"not checked: no kith Root in {state.Path}", false);
        }

        using var root = RootStore.LoadCertificate(state);
        var problem = ChainCheck.Problem(chain[0], chain.Skip(1), root);
        return problem is null ? ($"OK: chains to {root.Subject}", true) : ($"FAILED: {problem}", false);
    }

    private static async Task WriteAsync(TextWriter output, int index, CertificateDescription d)
    {
        await output.WriteLineAsync($"[{index}] {d.Subject}");
        await output.WriteLineAsync($"    issuer       {d.Issuer}");
        await output.WriteLineAsync($"    serial       {d.SerialHex}");
        if (d.DnsNames.Count + d.IpAddresses.Count > 0)
        {
            await output.WriteLineAsync($"    names        {string.Join(", ", d.DnsNames.Concat(d.IpAddresses))}");
        }

        await output.WriteLineAsync($"    valid        {d.NotBefore:u} – {d.NotAfter:u}");
        await output.WriteLineAsync($"    key          {d.Key}");
        if (d.IsCa)
        {
            await output.WriteLineAsync($"    ca           yes{(d.PathLength is { } p ? $", pathLen {p}" : string.Empty)}");
        }

        if (d.Constraints is { } constraints)
        {
            await output.WriteLineAsync($"    permits      {string.Join(", ", constraints.PermittedDnsNames.Concat(constraints.PermittedAddresses.Select(a => a.ToString())))}");
        }

        if (d.ExtendedKeyUsages.Count > 0)
        {
            await output.WriteLineAsync($"    usages       {string.Join(", ", d.ExtendedKeyUsages)}");
        }

        await output.WriteLineAsync($"    sha256       {d.Sha256}");
    }

    private static InspectedCertificateJson ToJson(CertificateDescription d) => new(
        d.Subject,
        d.Issuer,
        d.SerialHex,
        d.DnsNames,
        d.IpAddresses,
        d.NotBefore,
        d.NotAfter,
        d.Key,
        d.IsCa,
        d.PathLength,
        d.Constraints is null ? null : [.. d.Constraints.PermittedDnsNames, .. d.Constraints.PermittedAddresses.Select(a => a.ToString())],
        d.ExtendedKeyUsages,
        d.Sha256);
}
