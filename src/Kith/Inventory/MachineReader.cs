using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Kith.Inventory;

/// <summary>Reads the <c>machines:</c> map: name → addresses, tags, roles.</summary>
internal static partial class MachineReader
{
    /// <summary>What a machine can do for the fleet besides running services (docs/inventory.md).</summary>
    public static readonly string[] ValidRoles = ["dns", "bootstrap", "edge"];

    private static readonly string[] Keys = ["addresses", "tags", "roles"];

    /// <summary>Reads every machine; <paramref name="names"/> receives each name with its key's position.</summary>
    public static List<Machine> Read(NodeReader reader, YNode? node, Dictionary<string, Located> names)
    {
        var machines = new List<Machine>();
        var seenAddresses = new Dictionary<IPAddress, Located>();
        var map = reader.Map(node, "machines");
        foreach (var (key, value) in map?.Entries ?? [])
        {
            var field = NodeReader.Join("machines", key.Value);
            var name = key.Value.ToLowerInvariant();
            if (!DnsName.IsLabel(name))
            {
                reader.Error(key, field, $"machine name '{key.Value}' is not a single DNS label (1-63 letters, digits, '-'; no dots); it becomes {key.Value}.<domain>");
                continue;
            }

            if (names.TryGetValue(name, out var other))
            {
                reader.Error(key, field, $"machine '{name}' is declared twice (also at {reader.Where(other.Node)}); names are case-insensitive");
                continue;
            }

            names.Add(name, new Located(name, key, field));
            var body = reader.Map(value, field);
            if (body is not null)
            {
                reader.OnlyKeys(body, field, Keys);
            }

            var addresses = Addresses(reader, NodeReader.Get(body, "addresses"), field, name, seenAddresses);
            var tags = Words(reader, NodeReader.Get(body, "tags"), field + ".tags", "tag", null);
            var roles = Words(reader, NodeReader.Get(body, "roles"), field + ".roles", "role", ValidRoles);
            machines.Add(new Machine(name, addresses, tags, roles));
        }

        return machines;
    }

    /// <summary>
    /// Strict IP parsing: IPv4 only as four decimal parts without leading zeros (IPAddress.TryParse
    /// also takes "10.1" and reads "010" as octal), IPv6 without a zone index or prefix length.
    /// </summary>
    public static IPAddress? ParseAddress(string text, out string error)
    {
        error = string.Empty;
        if (text.Contains('/', StringComparison.Ordinal))
        {
            error = $"'{text}' has a prefix length; give the machine's own address without '/'";
            return null;
        }

        if (text.Contains(':', StringComparison.Ordinal))
        {
            if (!text.Contains('%', StringComparison.Ordinal) && IPAddress.TryParse(text, out var v6) && v6.AddressFamily == AddressFamily.InterNetworkV6)
            {
                return v6;
            }
        }
        else if (Ipv4().IsMatch(text) && IPAddress.TryParse(text, out var v4))
        {
            return v4;
        }

        error = $"'{text}' is not an IP address; write IPv4 as 100.64.0.10 or IPv6 as fd00::10";
        return null;
    }

    private static List<IPAddress> Addresses(NodeReader reader, YNode? node, string machineField, string machine, Dictionary<IPAddress, Located> seen)
    {
        var result = new List<IPAddress>();
        foreach (var item in reader.TextList(node, machineField + ".addresses", "write [100.64.0.10, \"fd00::10\"]"))
        {
            var address = ParseAddress(item.Value.Trim(), out var error);
            if (address is null)
            {
                reader.Error(item.Node, item.Field, error);
            }
            else if (seen.TryGetValue(address, out var first))
            {
                reader.Error(item.Node, item.Field, $"address {address} is also declared by machine '{first.Value}' at {reader.Where(first.Node)}; each address belongs to one machine");
            }
            else
            {
                seen.Add(address, item with { Value = machine });
                result.Add(address);
            }
        }

        return result;
    }

    private static List<string> Words(NodeReader reader, YNode? node, string field, string what, string[]? valid)
    {
        var result = new List<string>();
        foreach (var item in reader.TextList(node, field))
        {
            var word = item.Value.Trim().ToLowerInvariant();
            if (valid is not null && Array.IndexOf(valid, word) < 0)
            {
                reader.Error(item.Node, item.Field, $"unknown {what} '{item.Value}'; valid {what}s: {string.Join(", ", valid)}");
            }
            else if (!Word().IsMatch(word))
            {
                reader.Error(item.Node, item.Field, $"{what} '{item.Value}' must be letters, digits, '-', '_' or '.'");
            }
            else if (!result.Contains(word))
            {
                result.Add(word);
            }
        }

        return result;
    }

    [GeneratedRegex(@"^(0|[1-9][0-9]{0,2})(\.(0|[1-9][0-9]{0,2})){3}\z")]
    private static partial Regex Ipv4();

    [GeneratedRegex(@"^[a-z0-9_][a-z0-9_.-]*\z")]
    private static partial Regex Word();
}
