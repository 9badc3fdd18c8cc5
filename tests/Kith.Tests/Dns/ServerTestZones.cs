using Kith.Dns;

namespace Kith.Tests.Dns;

/// <summary>A hand-built fleet zone (the shapes of the zone model) covering every case the server distinguishes.</summary>
internal static class ServerTestZones
{
    public const long Serial = 7;

    public static IReadOnlyList<FleetZone> Home(long serial = Serial, IEnumerable<ZoneRecord>? extra = null)
    {
        List<ZoneRecord> records =
        [
            new("home.arpa", "SOA", 300, $"storage.home.arpa hostmaster.home.arpa {serial} 3600 600 604800 60"),
            new("home.arpa", "NS", 300, "storage.home.arpa"),
            new("lab.home.arpa", "NS", 300, "storage.home.arpa"),
            new("storage.home.arpa", "A", 300, "100.64.0.10"),
            new("storage.home.arpa", "AAAA", 300, "fd00::10"),
            new("music.home.arpa", "CNAME", 300, "storage.home.arpa"),
            new("chain.home.arpa", "CNAME", 300, "music.home.arpa"),
            new("*.apps.home.arpa", "CNAME", 300, "storage.home.arpa"),
            new("_ldap._tcp.home.arpa", "SRV", 300, "0 5 389 storage.home.arpa"),
            new("outside.home.arpa", "CNAME", 300, "www.example.com"),
            new("dangling.home.arpa", "CNAME", 300, "nothere.home.arpa"),
            new("loop1.home.arpa", "CNAME", 300, "loop2.home.arpa"),
            new("loop2.home.arpa", "CNAME", 300, "loop1.home.arpa"),
            new("into-lab.home.arpa", "CNAME", 300, "x.lab.home.arpa"),
        ];
        for (var i = 0; i < 10; i++)
        {
            records.Add(new("big.home.arpa", "TXT", 300, $"{i}:" + new string('x', 200)));
        }

        records.AddRange(extra ?? []);
        return
        [
            new FleetZone("home.arpa", serial, records),
            new FleetZone("lab.home.arpa", serial,
            [
                new("lab.home.arpa", "SOA", 300, $"storage.home.arpa hostmaster.home.arpa {serial} 3600 600 604800 60"),
                new("lab.home.arpa", "NS", 300, "storage.home.arpa"),
                new("x.lab.home.arpa", "A", 300, "100.64.1.1"),
            ]),
        ];
    }
}
