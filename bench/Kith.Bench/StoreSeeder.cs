using System.Globalization;
using System.Security.Cryptography;
using Kith.Pki;
using Kith.Storage;

namespace Kith.Bench;

/// <summary>
/// `seed-store DB COUNT [MACHINES]`: fills an issuance log with COUNT certificates shaped like a fleet's
/// history — each (machine, service) renewed many times, so most rows are superseded — for `kith list`.
/// </summary>
internal static class StoreSeeder
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length < 2)
        {
            Console.Error.WriteLine("usage: seed-store DB COUNT [SERVICES]");
            return 2;
        }

        var count = int.Parse(args[1], CultureInfo.InvariantCulture);
        var services = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 10_000;
        await using var store = await SqliteCertificateStore.OpenAsync(args[0]);
        var der = RandomNumberGenerator.GetBytes(620);
        var now = DateTimeOffset.UtcNow;
        var batch = new List<CertificateRecord>(10_000);
        for (var i = 0; i < count; i++)
        {
            var service = i % services;
            var generation = i / services;
            var machine = $"m{service / 10}";
            var notBefore = now - TimeSpan.FromDays(5 * ((count / services) - generation));
            batch.Add(new CertificateRecord(machine, SerialNumber.ToHex(SerialNumber.New()), CertificateKind.Server, [$"s{service}.fleet.internal"], machine, $"s{service}", notBefore, notBefore + TimeSpan.FromDays(7), Der: der));
            if (batch.Count == batch.Capacity)
            {
                await store.RecordAsync(batch);
                batch.Clear();
            }
        }

        await store.RecordAsync(batch);
        Console.WriteLine($"seeded {count} certificates for {services} services into {args[0]}");
        return 0;
    }
}
