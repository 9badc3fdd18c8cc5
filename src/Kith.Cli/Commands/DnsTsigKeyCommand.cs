using System.CommandLine;
using System.Security.Cryptography;
using Kith.Dns.Update;
using Kith.Files;

namespace Kith.Cli.Commands;

/// <summary>
/// <c>kith dns tsig-key NAME</c>: makes a TSIG secret for RFC 2136 updates of <c>_acme-challenge</c> records
/// (docs/dns.md, "Dynamic updates") and prints how agent.yaml, knsupdate, nsupdate, lego and certbot use it.
/// </summary>
internal static class DnsTsigKeyCommand
{
    /// <summary>256 bits: the output size of HMAC-SHA256, RFC 8945 section 6's recommendation.</summary>
    private const int SecretBytes = 32;

    private static readonly Argument<string> Name = new("NAME") { Description = "The key's name, as clients sign with it (e.g. acme-update)" };

    private static readonly Option<string> Algorithm = new("--algorithm")
    {
        Description = "hmac-sha256 (default) or hmac-sha512",
        DefaultValueFactory = _ => TsigAlgorithms.HmacSha256,
    };

    private static readonly Option<string?> Out = new("--out") { Description = "Where to write the secret (mode 0600). Default: tsig-NAME.key in the current folder" };

    public static Command Create(TextWriter output)
    {
        var command = new Command("tsig-key", "Make a TSIG key (32 random bytes, base64, mode 0600) that may update _acme-challenge TXT records, and print how to use it");
        command.Arguments.Add(Name);
        command.Options.Add(Algorithm);
        command.Options.Add(Out);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var name = parse.GetValue(Name)!;
            if (!TsigKeyNames.IsValid(name))
            {
                throw new KithException($"tsig-key: '{name}' is not a key name; use a DNS name such as acme-update (letters, digits, '-', '_', dots)");
            }

            name = TsigKeyNames.Normalize(name);
            var algorithm = parse.GetValue(Algorithm)!.ToLowerInvariant();
            if (algorithm is not (TsigAlgorithms.HmacSha256 or TsigAlgorithms.HmacSha512))
            {
                throw new KithException($"tsig-key: --algorithm '{algorithm}' is not hmac-sha256 or hmac-sha512");
            }

            var path = Path.GetFullPath(parse.GetValue(Out) ?? $"tsig-{name}.key");
            if (File.Exists(path))
            {
                throw new KithException($"{path}: exists; clients may already use that key: remove the file first to replace it, or choose another --out");
            }

            var secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(SecretBytes));
            AtomicFile.WriteText(path, secret + "\n", AtomicFile.PrivateMode);
            foreach (var line in Usage(name, algorithm, secret, path))
            {
                await output.WriteLineAsync(line.AsMemory(), cancellationToken);
            }

            return KithCli.Success;
        });
        return command;
    }

    private static IEnumerable<string> Usage(string name, string algorithm, string secret, string path)
    {
        yield return $"wrote {path} ({algorithm}, {SecretBytes} random bytes, mode 0600); the secret is below: keep it as private as the file";
        yield return string.Empty;
        yield return "agent.yaml on the dns machines (the file must be there, readable by the agent only):";
        yield return "  dns_update_keys:";
        yield return $"    - {{ name: {name}, algorithm: {algorithm}, secret_file: {path} }}";
        yield return string.Empty;
        yield return $"knsupdate / nsupdate:  -y {algorithm}:{name}:{secret}";
        yield return $"lego:     RFC2136_NAMESERVER=<dns machine>:53 RFC2136_TSIG_KEY={name} RFC2136_TSIG_ALGORITHM={algorithm}. RFC2136_TSIG_SECRET={secret} lego --dns rfc2136 ...";
        yield return "certbot:  --dns-rfc2136 --dns-rfc2136-credentials FILE (mode 0600) holding:";
        yield return "  dns_rfc2136_server = <address of a dns machine>";
        yield return "  dns_rfc2136_port = 53";
        yield return $"  dns_rfc2136_name = {name}";
        yield return $"  dns_rfc2136_secret = {secret}";
        yield return $"  dns_rfc2136_algorithm = {algorithm.ToUpperInvariant()}";
    }
}
