using System.Text;

namespace Kith.Dns.Update;

/// <summary>One resource record of an update's prerequisite or update section, as sent.</summary>
internal sealed record UpdateEntry(string Name, ushort Type, ushort Class, uint Ttl, byte[] Data)
{
    /// <summary>The text of TXT data: its character-strings joined (a dns-01 token is a single one).</summary>
    public string Text()
    {
        var text = new StringBuilder();
        for (var at = 0; at < Data.Length;)
        {
            var length = Data[at];
            if (at + 1 + length > Data.Length)
            {
                throw new FormatException("TXT data ends inside a string");
            }

            text.Append(Encoding.ASCII.GetString(Data, at + 1, length));
            at += 1 + length;
        }

        return text.ToString();
    }
}

/// <summary>
/// An RFC 2136 update message read section by section. kith reads the sections itself rather than through
/// ARSoft's DnsUpdateMessage, which files an add with TTL 0 as a delete and drops entries it cannot classify
/// (an update answered NOERROR but not applied).
/// </summary>
internal sealed record UpdateRequest(string Zone, ushort ZoneType, ushort ZoneClass, IReadOnlyList<UpdateEntry> Prerequisites, IReadOnlyList<UpdateEntry> Updates)
{
    /// <summary>Reads the message up to <paramref name="end"/> (where its TSIG record starts); throws <see cref="FormatException"/>.</summary>
    public static UpdateRequest Parse(ReadOnlySpan<byte> message, int end)
    {
        var reader = new DnsWireReader(message[..end]);
        reader.Take(4);
        var zones = reader.ReadUInt16();
        var prerequisites = reader.ReadUInt16();
        var updates = reader.ReadUInt16();
        reader.ReadUInt16();
        if (zones != 1)
        {
            throw new FormatException($"the zone section holds {zones} entries, not one");
        }

        var zone = reader.ReadName();
        var zoneType = reader.ReadUInt16();
        var zoneClass = reader.ReadUInt16();
        return new UpdateRequest(zone, zoneType, zoneClass, ReadEntries(ref reader, prerequisites), ReadEntries(ref reader, updates));
    }

    private static List<UpdateEntry> ReadEntries(ref DnsWireReader reader, int count)
    {
        var entries = new List<UpdateEntry>(count);
        for (var i = 0; i < count; i++)
        {
            var name = reader.ReadName();
            var type = reader.ReadUInt16();
            var recordClass = reader.ReadUInt16();
            var ttl = reader.ReadUInt32();
            var data = reader.Take(reader.ReadUInt16()).ToArray();
            entries.Add(new UpdateEntry(name, type, recordClass, ttl, data));
        }

        return entries;
    }
}
