using System.Globalization;
using Kith.Pki;

namespace Kith.Inventory;

/// <summary>Reads the <c>ca:</c> block; every absent field takes its value from <see cref="CaSettings.Default"/>.</summary>
internal static class CaSettingsReader
{
    private static readonly string[] Keys =
        ["key", "root_validity", "host_ca_validity", "leaf_validity", "renew_at", "name_constraints"];

    public static CaSettings Read(NodeReader reader, YNode? node)
    {
        var d = CaSettings.Default;
        var map = reader.Map(node, "ca");
        if (map is null)
        {
            return d;
        }

        reader.OnlyKeys(map, "ca", Keys);
        var key = reader.Choice(NodeReader.Get(map, "key"), "ca.key", "key type", d.Key, ("ecdsa-p256", KeyAlgorithm.EcdsaP256), ("ecdsa-p384", KeyAlgorithm.EcdsaP384), ("rsa-3072", KeyAlgorithm.Rsa3072));
        var root = Duration(reader, map, "root_validity", d.RootValidity);
        var hostCa = Duration(reader, map, "host_ca_validity", d.HostCaValidity);
        var leaf = Duration(reader, map, "leaf_validity", d.LeafValidity);
        var renewAt = Fraction(reader, map, "renew_at", d.RenewalFraction);
        var constraints = reader.Choice(NodeReader.Get(map, "name_constraints"), "ca.name_constraints", "name_constraints mode", d.NameConstraints, ("endpoints", NameConstraintMode.Endpoints), ("domain", NameConstraintMode.Domain), ("none", NameConstraintMode.None));

        // An issuer cannot usefully sign past its own expiry (RFC 5280 §6.1.3 checks each certificate's
        // validity), so a child may not outlive its parent.
        if (hostCa > root)
        {
            At(reader, map, "host_ca_validity", $"host_ca_validity ({hostCa.TotalDays:0}d) is longer than root_validity ({root.TotalDays:0}d); a Host CA cannot outlive the Root");
        }

        if (leaf > hostCa)
        {
            At(reader, map, "leaf_validity", $"leaf_validity ({leaf.TotalDays:0.##}d) is longer than host_ca_validity ({hostCa.TotalDays:0}d); a certificate cannot outlive its Host CA");
        }

        return new CaSettings(key, root, hostCa, leaf, renewAt, constraints);
    }

    private static TimeSpan Duration(NodeReader reader, YMapping map, string key, TimeSpan fallback)
    {
        var node = NodeReader.Get(map, key);
        var text = reader.Text(node, "ca." + key);
        if (text is null || node is null)
        {
            return fallback;
        }

        var value = Inventory.Duration.Parse(text, out var error);
        if (value is null)
        {
            reader.Error(node, "ca." + key, error);
        }

        return value ?? fallback;
    }

    // renew_at: a number strictly between 0 and 1, or a fraction "a/b" such as 2/3.
    private static double Fraction(NodeReader reader, YMapping map, string key, double fallback)
    {
        var node = NodeReader.Get(map, key);
        var text = reader.Text(node, "ca." + key);
        if (text is null || node is null)
        {
            return fallback;
        }

        var parts = text.Split('/');
        double value;
        var ok = parts.Length switch
        {
            1 => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value),
            2 => TryDivide(parts[0], parts[1], out value),
            _ => Fail(out value),
        };
        if (!ok)
        {
            reader.Error(node, "ca." + key, $"expected a number between 0 and 1 (e.g. 0.6667 or \"2/3\"), found '{text}'");
            return fallback;
        }

        if (!(value > 0 && value < 1))
        {
            reader.Error(node, "ca." + key, $"{text} is out of range: renewal happens at a fraction of the lifetime, strictly between 0 and 1 (e.g. 2/3)");
            return fallback;
        }

        return value;
    }

    private static bool TryDivide(string a, string b, out double value)
    {
        var style = NumberStyles.Float;
        value = 0;
        if (!double.TryParse(a.Trim(), style, CultureInfo.InvariantCulture, out var x)
            || !double.TryParse(b.Trim(), style, CultureInfo.InvariantCulture, out var y) || y == 0)
        {
            return false;
        }

        value = x / y;
        return true;
    }

    private static bool Fail(out double value)
    {
        value = 0;
        return false;
    }

    private static void At(NodeReader reader, YMapping map, string key, string message) =>
        reader.Error(NodeReader.Get(map, key) ?? map, "ca." + key, message);
}
