namespace Kith.Dns.Server;

/// <summary>
/// Builds an <see cref="AnswerTable"/> from the served zones and the dynamic TXT records (docs/dns.md, "Serving"):
/// each record goes to the served zone with the longest apex containing it (so a parent's delegation to a
/// nested zone we also serve is not answered from the parent), empty non-terminals exist (NODATA, not
/// NXDOMAIN), CNAME chains are followed inside the served zones up to <see cref="MaxChain"/> links.
/// </summary>
internal sealed class AnswerTableBuilder
{
    /// <summary>The most CNAME links followed for one answer; a longer chain (or a loop) is answered as far as it goes.</summary>
    public const int MaxChain = 8;

    private readonly Dictionary<string, ZoneData> zones = new(StringComparer.Ordinal);
    private readonly Dictionary<string, NodeData> names = new(StringComparer.Ordinal);
    private int recordCount;

    private AnswerTableBuilder()
    {
    }

    /// <summary>Records whose value does not encode, or whose type the server does not serve, are left out.</summary>
    /// <param name="dynamicTxt">TXT records added by dynamic updates; those outside the zones or at a CNAME are left out.</param>
    public static AnswerTable Build(IReadOnlyList<FleetZone> fleetZones, IReadOnlyList<ZoneRecord> dynamicTxt)
    {
        ArgumentNullException.ThrowIfNull(fleetZones);
        ArgumentNullException.ThrowIfNull(dynamicTxt);
        var builder = new AnswerTableBuilder();
        builder.AddZones(fleetZones);
        foreach (var record in dynamicTxt)
        {
            builder.AddDynamic(record);
        }

        return builder.Encode();
    }

    private void AddZones(IReadOnlyList<FleetZone> fleetZones)
    {
        foreach (var zone in fleetZones)
        {
            var soa = zone.Records.FirstOrDefault(r => r.Type.Equals("SOA", StringComparison.OrdinalIgnoreCase));
            if (soa is null || RecordData.Encode(soa) is not { } soaData || !TryKey(zone.Apex, out var apex) || zones.ContainsKey(apex))
            {
                continue; // a zone without a usable SOA cannot answer negatively, so it is not served
            }

            var minimum = int.Parse(soa.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries)[6], System.Globalization.CultureInfo.InvariantCulture);
            zones.Add(apex, new ZoneData(apex, zone.Serial, soaData.Data, Math.Min(soa.Ttl, minimum)));
        }

        foreach (var zone in fleetZones)
        {
            if (!TryKey(zone.Apex, out var apex) || !zones.TryGetValue(apex, out var data))
            {
                continue;
            }

            foreach (var record in zone.Records)
            {
                if (TryKey(record.Name, out var key) && OwningZone(key) == data)
                {
                    Add(key, data, record);
                }
            }
        }
    }

    private void AddDynamic(ZoneRecord record)
    {
        if (TryKey(record.Name, out var key) && OwningZone(key) is { } zone)
        {
            Add(key, zone, record);
        }
    }

    private void Add(string key, ZoneData zone, ZoneRecord record)
    {
        if (RecordData.Encode(record) is not { } encoded)
        {
            return;
        }

        if (!names.TryGetValue(key, out var node))
        {
            node = new NodeData(zone);
            names.Add(key, node);
        }

        // A CNAME stands alone at its name (RFC 1034 3.6.2): the first one wins, nothing joins it.
        var hasCname = node.Records.Exists(r => r.Type == DnsType.Cname);
        if (hasCname || (encoded.Type == DnsType.Cname && node.Records.Count > 0))
        {
            return;
        }

        node.Records.Add(new EncodedRecord(encoded.Type, record.Ttl, encoded.Data));
        recordCount++;
    }

    private AnswerTable Encode()
    {
        // Empty non-terminals: every ancestor of a name, up to its apex, exists.
        foreach (var (key, node) in names.ToList())
        {
            for (var parent = key; parent != node.Zone.Apex && parent.Length > 0;)
            {
                parent = DnsNames.Parent(parent);
                if (!names.TryAdd(parent, new NodeData(node.Zone)))
                {
                    break;
                }
            }
        }

        foreach (var zone in zones.Values)
        {
            names.TryAdd(zone.Apex, new NodeData(zone));
            var nx = new ResponseBodyWriter();
            nx.Authority(zone.Apex, DnsType.Soa, zone.NegativeTtl, zone.Soa);
            zone.NxDomain = nx.Build(DnsRcode.NxDomain);
        }

        var nodes = new Dictionary<string, NameNode>(names.Count, StringComparer.Ordinal);
        foreach (var (key, data) in names)
        {
            nodes.Add(key, EncodeNode(key, data));
        }

        foreach (var (key, node) in nodes)
        {
            node.Wildcard = nodes.GetValueOrDefault(DnsNames.WildcardOf(key));
        }

        return new AnswerTable(nodes, zones.Count, zones.Count == 0 ? 0 : zones.Values.Max(z => z.Serial), recordCount);
    }

    private NameNode EncodeNode(string key, NodeData data)
    {
        var (noData, final) = Resolve(key, 0);
        var isCname = data.Records.Exists(r => r.Type == DnsType.Cname);
        ushort[] types;
        if (isCname)
        {
            // Only the types the chain's end has differ from the chain-then-NODATA body.
            types = [DnsType.Cname, .. (final?.Records ?? []).Select(r => r.Type).Where(t => t != DnsType.Cname).Distinct()];
        }
        else
        {
            types = [.. data.Records.Select(r => r.Type).Distinct()];
        }

        var bodies = types.Select(t => Resolve(key, t).Body).ToArray();
        ResponseBody any;
        if (isCname)
        {
            any = bodies[0];
        }
        else if (data.Records.Count == 0)
        {
            any = noData;
        }
        else
        {
            // RFC 8482: one small synthesized record instead of everything at the name.
            var writer = new ResponseBodyWriter();
            writer.Answer(null, DnsType.Hinfo, data.Records.Min(r => r.Ttl), RecordData.Rfc8482Hinfo());
            any = writer.Build(DnsRcode.NoError);
        }

        return new NameNode(types, bodies, noData, any, data.Zone.NxDomain!);
    }

    /// <summary>The answer to (name, type) as the server gives it, and the node the CNAME chain ends at (null when it leaves the zones or ends at a missing name).</summary>
    private (ResponseBody Body, NodeData? Final) Resolve(string key, ushort type)
    {
        var writer = new ResponseBodyWriter();
        string? owner = null; // the question's name: written as a pointer
        var current = key;
        for (var link = 0; link <= MaxChain; link++)
        {
            var (node, zone) = Find(current);
            if (zone is null)
            {
                return (writer.Build(DnsRcode.NoError), null); // the chain left the served zones: the resolver goes on from here
            }

            if (node is null)
            {
                writer.Authority(zone.Apex, DnsType.Soa, zone.NegativeTtl, zone.Soa);
                return (writer.Build(DnsRcode.NxDomain), null);
            }

            var cname = node.Records.Find(r => r.Type == DnsType.Cname);
            if (cname is not null && type != DnsType.Cname)
            {
                if (link == MaxChain)
                {
                    break;
                }

                writer.Answer(owner, DnsType.Cname, cname.Ttl, cname.Data);
                current = new string([.. cname.Data[..^1].Select(b => (char)b)]);
                owner = current;
                continue;
            }

            var matching = node.Records.Where(r => r.Type == type).ToList();
            foreach (var record in matching)
            {
                writer.Answer(owner, record.Type, record.Ttl, record.Data);
            }

            if (matching.Count == 0)
            {
                writer.Authority(zone.Apex, DnsType.Soa, zone.NegativeTtl, zone.Soa);
            }

            return (writer.Build(DnsRcode.NoError), node);
        }

        return (writer.Build(DnsRcode.NoError), null);
    }

    /// <summary>The node answering a name (itself, or the wildcard of its closest encloser) and the zone it is in.</summary>
    private (NodeData? Node, ZoneData? Zone) Find(string key)
    {
        if (names.TryGetValue(key, out var node))
        {
            return (node, node.Zone);
        }

        for (var rest = key; rest.Length > 0;)
        {
            rest = DnsNames.Parent(rest);
            if (names.TryGetValue(rest, out var encloser))
            {
                return (names.GetValueOrDefault(DnsNames.WildcardOf(rest)), encloser.Zone);
            }
        }

        return (null, null);
    }

    private ZoneData? OwningZone(string key)
    {
        for (var rest = key; ; rest = DnsNames.Parent(rest))
        {
            if (zones.TryGetValue(rest, out var zone))
            {
                return zone;
            }

            if (rest.Length == 0)
            {
                return null;
            }
        }
    }

    private static bool TryKey(string name, out string key)
    {
        try
        {
            key = DnsNames.Key(name);
            return true;
        }
        catch (ArgumentException)
        {
            key = string.Empty;
            return false;
        }
    }

    private sealed class ZoneData(string apex, long serial, byte[] soa, int negativeTtl)
    {
        public string Apex { get; } = apex;

        public long Serial { get; } = serial;

        public byte[] Soa { get; } = soa;

        /// <summary>RFC 2308: the smaller of the SOA's TTL and its minimum field.</summary>
        public int NegativeTtl { get; } = negativeTtl;

        public ResponseBody? NxDomain { get; set; }
    }

    private sealed class NodeData(ZoneData zone)
    {
        public ZoneData Zone { get; } = zone;

        public List<EncodedRecord> Records { get; } = [];
    }

    private sealed record EncodedRecord(ushort Type, int Ttl, byte[] Data);
}
