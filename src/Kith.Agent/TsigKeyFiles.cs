using Kith.Dns.Update;
using Kith.Files;
using YamlDotNet.RepresentationModel;

namespace Kith.Agent;

/// <summary>
/// Reads agent.yaml's <c>dns_update_keys</c>: the TSIG keys allowed to change <c>_acme-challenge</c> TXT records
/// (docs/agent.md). Each secret file holds the base64 secret on one line, as <c>kith dns tsig-key</c> writes it.
/// </summary>
internal static class TsigKeyFiles
{
    public const string Key = "dns_update_keys";

    /// <summary>A secret file is a line of base64; anything much larger is not one.</summary>
    private const long MaxSecretFileBytes = 4096;

    /// <summary>The keys, and warnings about secret files others can read.</summary>
    public static (IReadOnlyList<TsigKey> Keys, IReadOnlyList<string> Warnings) Read(string path, YamlNode value)
    {
        if (value is YamlScalarNode { Value: null or "" or "~" or "null" })
        {
            return ([], []);
        }

        if (value is not YamlSequenceNode list)
        {
            throw new KithException($"{path}: {Key} must be a list of {{ name, algorithm, secret_file }} entries");
        }

        var keys = new List<TsigKey>();
        var warnings = new List<string>();
        for (var i = 0; i < list.Children.Count; i++)
        {
            var (key, warning) = ReadOne(path, $"{Key}[{i}]", list.Children[i]);
            if (keys.Any(k => k.NormalizedName == key.NormalizedName))
            {
                throw new KithException($"{path}: {Key}[{i}]: the key name '{key.NormalizedName}' is used twice; give each key its own name");
            }

            keys.Add(key);
            if (warning is not null)
            {
                warnings.Add(warning);
            }
        }

        return (keys, warnings);
    }

    private static (TsigKey Key, string? Warning) ReadOne(string path, string where, YamlNode node)
    {
        if (node is not YamlMappingNode entry)
        {
            throw new KithException($"{path}: {where} must be a mapping {{ name, algorithm, secret_file }}");
        }

        string? name = null;
        var algorithm = TsigAlgorithms.HmacSha256;
        string? secretFile = null;
        foreach (var (keyNode, valueNode) in entry.Children)
        {
            var field = (keyNode as YamlScalarNode)?.Value;
            var text = valueNode is YamlScalarNode { Value: { } scalar } ? scalar : throw new KithException($"{path}: {where}.{field} must be a single value");
            switch (field)
            {
                case "name":
                    name = text;
                    break;
                case "algorithm":
                    algorithm = text.ToLowerInvariant();
                    break;
                case "secret_file":
                    secretFile = text;
                    break;
                default:
                    throw new KithException($"{path}: {where}: unknown field '{field}' (known: name, algorithm, secret_file)");
            }
        }

        if (string.IsNullOrWhiteSpace(name) || !TsigKeyNames.IsValid(name))
        {
            throw new KithException($"{path}: {where}: name must be a DNS name such as acme-update (letters, digits, '-', '_', dots), the key name clients sign with");
        }

        name = TsigKeyNames.Normalize(name);
        var label = $"{path}: {where} ({name})";
        if (!TsigAlgorithms.IsSupported(algorithm))
        {
            throw new KithException($"{label}: algorithm '{algorithm}' is not one of {string.Join(", ", TsigAlgorithms.Names)}");
        }

        if (string.IsNullOrWhiteSpace(secretFile) || !Path.IsPathFullyQualified(secretFile))
        {
            throw new KithException($"{label}: secret_file must be the absolute path of the key's secret; make one with `kith dns tsig-key {name} --out /etc/kith/tsig-{name}.key`");
        }

        byte[] secret;
        try
        {
            secret = Convert.FromBase64String(InputFile.ReadText(secretFile, MaxSecretFileBytes).Trim());
        }
        catch (KithException e)
        {
            throw new KithException($"{label}: secret_file {e.Message}; make one with `kith dns tsig-key {name} --out {secretFile}`");
        }
        catch (FormatException)
        {
            throw new KithException($"{label}: secret_file {secretFile} is not one line of base64; make a new one with `kith dns tsig-key {name} --out {secretFile}`");
        }

        if (secret.Length < TsigKey.MinimumSecretBytes)
        {
            throw new KithException($"{label}: secret_file {secretFile} holds {secret.Length} bytes, fewer than the {TsigKey.MinimumSecretBytes} a TSIG key needs; make a new one with `kith dns tsig-key`");
        }

        string? warning = null;
        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(secretFile) & (UnixFileMode.GroupRead | UnixFileMode.OtherRead)) != 0)
        {
            warning = $"{label}: secret_file {secretFile} can be read by group or others; anyone who reads it can change _acme-challenge records (chmod 600 it)";
        }

        return (new TsigKey(name, algorithm, secret), warning);
    }
}
