using System.Text;

namespace Kith.Inventory;

/// <summary>
/// Loads kith.yaml into a validated, immutable <see cref="FleetInventory"/>. Every problem found is
/// reported at once in an <see cref="InventoryException"/>, each with file:line:column and the
/// dotted field path; the schema and rules are in docs/inventory.md.
/// </summary>
public static class InventoryLoader
{
    /// <summary>The largest inventory read: a fleet of thousands of services fits in a fraction of it.</summary>
    public const int MaxFileBytes = 4 * 1024 * 1024;

    private static readonly string[] TopKeys = ["domain", "zones", "ca", "machines", "services", "dns", "proxy"];

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Reads and validates the inventory at <paramref name="path"/>.</summary>
    /// <exception cref="KithException">The file is missing, a directory, too large, or not UTF-8 text.</exception>
    /// <exception cref="InventoryException">The file holds one or more problems; all are listed.</exception>
    public static FleetInventory LoadFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (Directory.Exists(path))
        {
            throw new KithException($"{path}: is a directory; give the path of the inventory file (kith.yaml)");
        }

        byte[] bytes;
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                throw new KithException($"{path}: inventory file not found; create it (see examples/minimal.yaml) or give its path");
            }

            if (info.Length > MaxFileBytes)
            {
                throw new KithException($"{path}: is {info.Length} bytes, more than the {MaxFileBytes / (1024 * 1024)} MiB an inventory may be; is it the right file?");
            }

            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new KithException($"{path}: cannot read the inventory: {e.Message}", e);
        }

        string text;
        try
        {
            var bom = bytes.AsSpan().StartsWith(Encoding.UTF8.Preamble) ? 3 : 0;
            text = StrictUtf8.GetString(bytes, bom, bytes.Length - bom);
        }
        catch (DecoderFallbackException e)
        {
            throw new KithException($"{path}: is not UTF-8 text (invalid byte at offset {e.Index}); save it as UTF-8", e);
        }

        return Parse(text, path, Path.GetFullPath(path));
    }

    /// <summary>Validates inventory text; <paramref name="fileName"/> is used in messages and as the source path.</summary>
    /// <exception cref="KithException">The text contains NUL characters or is larger than 4 MiB.</exception>
    /// <exception cref="InventoryException">The text holds one or more problems; all are listed.</exception>
    public static FleetInventory Parse(string yaml, string fileName) => Parse(yaml, fileName, fileName);

    private static FleetInventory Parse(string yaml, string fileName, string sourcePath)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        ArgumentException.ThrowIfNullOrEmpty(fileName);
        if (yaml.Length > MaxFileBytes)
        {
            throw new KithException($"{fileName}: is larger than the {MaxFileBytes / (1024 * 1024)} MiB an inventory may be; is it the right file?");
        }

        if (yaml.Contains('\0', StringComparison.Ordinal))
        {
            throw new KithException($"{fileName}: contains NUL bytes, so it is not a text file; is it the right file?");
        }

        var reader = new NodeReader(fileName);
        var root = YamlTree.Read(yaml, reader.Error);
        if (reader.Errors.Count > 0)
        {
            throw Failure(reader);
        }

        var map = reader.Map(root, "(document)");
        if (map is not null)
        {
            reader.OnlyKeys(map, string.Empty, TopKeys);
        }

        var zones = Zones(reader, map);
        var ca = CaSettingsReader.Read(reader, NodeReader.Get(map, "ca"));
        var machineNames = new Dictionary<string, Located>(StringComparer.Ordinal);
        var machines = MachineReader.Read(reader, NodeReader.Get(map, "machines"), machineNames);
        var serviceNames = new List<ServiceName>();
        var edges = machines.Where(m => m.Roles.Contains("edge")).Select(m => m.Name).ToList();
        var services = ServiceReader.Read(reader, NodeReader.Get(map, "services"), zones, machineNames, edges, serviceNames);
        var dns = DnsSettingsReader.Read(reader, NodeReader.Get(map, "dns"), zones.All, machineNames, services);
        var proxy = ProxySettingsReader.Read(reader, NodeReader.Get(map, "proxy"));
        if (zones.Domain is not null)
        {
            FleetChecks.Run(reader, zones.Domain, machineNames, serviceNames, ca.NameConstraints);
        }

        if (reader.Errors.Count > 0)
        {
            throw Failure(reader);
        }

        return new FleetInventory(sourcePath, zones.Domain!, [.. zones.All.Skip(1)], ca, machines, services) { Dns = dns, Proxy = proxy };
    }

    private static ZoneSet Zones(NodeReader reader, YMapping? map)
    {
        var node = NodeReader.Get(map, "domain");
        var text = reader.Text(node, "domain");
        string? domain = null;
        if (text is null)
        {
            reader.Missing(node ?? map, "domain", "the fleet's DNS domain, e.g. domain: home.arpa (machines are <name>.<domain>)");
        }
        else if (!DnsName.TryNormalize(text, out var normalized, out var error))
        {
            reader.Error(node!, "domain", $"'{text}' is not a valid DNS name: {error}");
        }
        else
        {
            domain = normalized;
        }

        var all = new List<string>();
        if (domain is not null)
        {
            all.Add(domain);
        }

        foreach (var item in reader.TextList(NodeReader.Get(map, "zones"), "zones", "write zones: [example.internal]"))
        {
            if (!DnsName.TryNormalize(item.Value, out var zone, out var error))
            {
                reader.Error(item.Node, item.Field, $"'{item.Value}' is not a valid DNS name: {error}");
            }
            else if (all.Contains(zone))
            {
                var what = zone == domain ? "is the domain already" : "is listed twice";
                reader.Error(item.Node, item.Field, $"zone '{zone}' {what}; remove this entry");
            }
            else
            {
                all.Add(zone);
            }
        }

        return domain is null ? new ZoneSet(null, []) : new ZoneSet(domain, all);
    }

    private static InventoryException Failure(NodeReader reader) =>
        new([.. reader.Errors.OrderBy(e => e.Line).ThenBy(e => e.Column)]);
}
