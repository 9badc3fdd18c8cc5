namespace Kith.Dns.Server;

/// <summary>
/// Every answer the server can give, encoded once per zone load: per name (its wire-form key) the body for each
/// record type it has, a NODATA body for the others, and an ANY body; per zone the NXDOMAIN body. A lookup is a
/// dictionary probe on the question's name, then on its ancestors for the wildcard and NXDOMAIN cases.
/// </summary>
internal sealed class AnswerTable
{
    private static readonly ResponseBody RefusedBody = ResponseBody.Empty(DnsRcode.Refused);

    private readonly Dictionary<string, NameNode>.AlternateLookup<ReadOnlySpan<char>> lookup;

    public AnswerTable(Dictionary<string, NameNode> nodes, int zones, long serial, int records)
    {
        lookup = nodes.GetAlternateLookup<ReadOnlySpan<char>>();
        Names = nodes.Count;
        Zones = zones;
        Serial = serial;
        Records = records;
    }

    /// <summary>An empty table: every question is REFUSED.</summary>
    public static AnswerTable Empty { get; } = new(new Dictionary<string, NameNode>(StringComparer.Ordinal), 0, 0, 0);

    public int Names { get; }

    public int Zones { get; }

    /// <summary>The highest SOA serial among the zones (they all carry the fleet state version).</summary>
    public long Serial { get; }

    public int Records { get; }

    /// <summary>The answer to a question (the name as a lower-cased wire key, in the IN class).</summary>
    public ResponseBody Find(ReadOnlySpan<char> key, ushort type)
    {
        if (lookup.TryGetValue(key, out var node))
        {
            return node.Body(type);
        }

        var rest = key;
        while (rest.Length > 0)
        {
            rest = rest[(1 + rest[0])..];
            if (lookup.TryGetValue(rest, out var encloser))
            {
                // RFC 4592: the closest existing ancestor decides; its wildcard child answers, else the name does not exist.
                return encloser.Wildcard?.Body(type) ?? encloser.NxDomain;
            }
        }

        return RefusedBody;
    }
}

/// <summary>One existing name (with records, or an empty non-terminal) and its pre-encoded answers.</summary>
internal sealed class NameNode(ushort[] types, ResponseBody[] bodies, ResponseBody noData, ResponseBody any, ResponseBody nxDomain)
{
    /// <summary>The node of <c>*.&lt;this name&gt;</c>, when the zone has one.</summary>
    public NameNode? Wildcard { get; set; }

    /// <summary>The NXDOMAIN answer of this name's zone, for names below it that do not exist.</summary>
    public ResponseBody NxDomain { get; } = nxDomain;

    public ResponseBody Body(ushort type)
    {
        for (var i = 0; i < types.Length; i++)
        {
            if (types[i] == type)
            {
                return bodies[i];
            }
        }

        return type == DnsType.Any ? any : noData;
    }
}
