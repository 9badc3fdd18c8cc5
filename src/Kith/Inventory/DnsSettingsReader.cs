namespace Kith.Inventory;

/// <summary>
/// Reads the <c>dns:</c> block (docs/dns.md): the zones' default TTL and the extra records, each checked for
/// its type and value, for lying inside one of the fleet's zones, and for clashing with a CNAME.
/// </summary>
internal static class DnsSettingsReader
{
    /// <summary>The longest TTL accepted: a day, beyond which a moved name would be cached too long to be useful.</summary>
    public static readonly TimeSpan MaxTtl = TimeSpan.FromDays(1);

    private static readonly string[] Keys = ["ttl", "records"];
    private static readonly string[] RecordKeys = ["name", "type", "value", "ttl"];

    /// <param name="zones">Every zone, the domain first.</param>
    /// <param name="machines">Machine names (single labels).</param>
    public static DnsSettings Read(NodeReader reader, YNode? node, IReadOnlyList<string> zones, IReadOnlyDictionary<string, Located> machines, IReadOnlyList<Service> services)
    {
        var map = reader.Map(node, "dns");
        if (map is null)
        {
            return DnsSettings.Default;
        }

        reader.OnlyKeys(map, "dns", Keys);
        var ttl = Ttl(reader, NodeReader.Get(map, "ttl"), "dns.ttl") ?? DnsSettings.DefaultTtl;
        var records = new List<(DnsRecordSpec Spec, YNode Node, string Field)>();
        var items = reader.List(NodeReader.Get(map, "records"), "dns.records", "write records: [{ name: printer.home.arpa, type: A, value: 192.0.2.50 }]");
        for (var i = 0; i < items.Count; i++)
        {
            if (Record(reader, items[i], $"dns.records[{i}]", zones) is { } spec)
            {
                records.Add((spec, items[i], $"dns.records[{i}]"));
            }
        }

        if (zones.Count > 0)
        {
            Clashes(reader, records, zones, machines, services);
        }

        return new DnsSettings(ttl, [.. records.Select(r => r.Spec)]);
    }

    private static DnsRecordSpec? Record(NodeReader reader, YNode node, string field, IReadOnlyList<string> zones)
    {
        var map = reader.Map(node, field);
        if (map is null)
        {
            reader.Error(node, field, "empty record; write { name: printer.home.arpa, type: A, value: 192.0.2.50 }");
            return null;
        }

        reader.OnlyKeys(map, field, RecordKeys);
        var name = Required(reader, map, field, "name", "the record's owner name, e.g. printer.home.arpa");
        var type = Required(reader, map, field, "type", "one of " + string.Join(", ", DnsRecordValue.Types));
        var value = Required(reader, map, field, "value", "the record's data (an address, text, target name, or \"priority weight port target\")");
        var ttl = Ttl(reader, NodeReader.Get(map, "ttl"), field + ".ttl");
        string? normalizedName = null;
        if (name is not null)
        {
            normalizedName = DnsRecordValue.Name(name.Value, allowWildcard: true, out var error);
            if (normalizedName is null)
            {
                reader.Error(name.Node, name.Field, $"'{name.Value}' is not a valid DNS name: {error}");
            }
            else if (!zones.Any(z => DnsName.IsWithin(normalizedName, z)))
            {
                reader.Error(name.Node, name.Field, $"'{normalizedName}' is outside the fleet's zones ({string.Join(", ", zones)}); use a name in one of them or add its zone under zones:");
                normalizedName = null;
            }
        }

        string? upperType = null;
        if (type is not null)
        {
            upperType = type.Value.Trim().ToUpperInvariant();
            if (Array.IndexOf(DnsRecordValue.Types, upperType) < 0)
            {
                reader.Error(type.Node, type.Field, $"unknown record type '{type.Value}'; valid types: {string.Join(", ", DnsRecordValue.Types)}");
                upperType = null;
            }
        }

        string? normalizedValue = null;
        if (value is not null && upperType is not null)
        {
            normalizedValue = DnsRecordValue.Value(upperType, value.Value, out var error);
            if (normalizedValue is null)
            {
                reader.Error(value.Node, value.Field, error);
            }
        }

        return normalizedName is null || upperType is null || normalizedValue is null
            ? null
            : new DnsRecordSpec(normalizedName, upperType, normalizedValue, ttl);
    }

    // RFC 1034 §3.6.2: a name with a CNAME has no other data. Endpoints, aliases and machines already have
    // records of their own (a CNAME, or A/AAAA), so an extra CNAME may not take their names, and no extra
    // record may sit at an endpoint's or alias's name.
    private static void Clashes(NodeReader reader, List<(DnsRecordSpec Spec, YNode Node, string Field)> records, IReadOnlyList<string> zones, IReadOnlyDictionary<string, Located> machines, IReadOnlyList<Service> services)
    {
        var endpoints = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var service in services)
        {
            foreach (var name in service.Endpoints.Concat(service.Aliases))
            {
                endpoints.TryAdd(name, service.Name);
            }
        }

        var domain = zones[0];
        var seen = new Dictionary<string, (DnsRecordSpec Spec, YNode Node)>(StringComparer.Ordinal);
        var written = new Dictionary<(string, string, string), YNode>();
        foreach (var (spec, node, field) in records)
        {
            var at = field + ".name";
            var where = NodeReader.Get(node as YMapping, "name") ?? node;
            var label = spec.Name.EndsWith("." + domain, StringComparison.Ordinal) ? spec.Name[..^(domain.Length + 1)] : null;
            if (endpoints.TryGetValue(spec.Name, out var service))
            {
                reader.Error(where, at, $"'{spec.Name}' is an endpoint or alias of service '{service}', which is already a CNAME to its machine; use another name");
            }
            else if (spec.Type == "CNAME" && label is not null && machines.ContainsKey(label))
            {
                reader.Error(where, at, $"'{spec.Name}' is machine '{label}''s own name, which has its addresses; a CNAME cannot sit beside them");
            }
            else if (spec.Type == "CNAME" && zones.Contains(spec.Name))
            {
                reader.Error(where, at, $"'{spec.Name}' is a zone apex, which has SOA and NS records; a CNAME cannot sit beside them");
            }
            else if (seen.TryGetValue(spec.Name, out var first) && (spec.Type == "CNAME" || first.Spec.Type == "CNAME"))
            {
                reader.Error(where, at, $"'{spec.Name}' already has a {first.Spec.Type} record at {reader.Where(first.Node)}; a name with a CNAME can have no other record");
            }
            else if (written.TryGetValue((spec.Name, spec.Type, spec.Value), out var twin))
            {
                reader.Error(where, at, $"this {spec.Type} record is listed twice (also at {reader.Where(twin)}); remove one");
            }
            else
            {
                seen.TryAdd(spec.Name, (spec, where));
                written.Add((spec.Name, spec.Type, spec.Value), where);
            }
        }
    }

    private static Located? Required(NodeReader reader, YMapping map, string field, string key, string what)
    {
        var node = NodeReader.Get(map, key);
        var text = reader.Text(node, NodeReader.Join(field, key));
        if (text is null)
        {
            if (node is null || node is YScalar { IsNull: true })
            {
                reader.Missing(node ?? map, NodeReader.Join(field, key), what);
            }

            return null;
        }

        return new Located(text, node!, NodeReader.Join(field, key));
    }

    private static TimeSpan? Ttl(NodeReader reader, YNode? node, string field)
    {
        var text = reader.Text(node, field);
        if (text is null || node is null)
        {
            return null;
        }

        var value = Duration.Parse(text.Trim(), out var error);
        if (value is null)
        {
            reader.Error(node, field, error.Replace("a validity", "a TTL", StringComparison.Ordinal));
            return null;
        }

        if (value > MaxTtl)
        {
            reader.Error(node, field, $"'{text}' is longer than the 1d a TTL may be; a name that moves would be cached that long");
            return null;
        }

        return value;
    }
}
