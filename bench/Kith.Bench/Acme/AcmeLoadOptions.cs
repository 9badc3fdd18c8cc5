using System.Globalization;

namespace Kith.Bench.Acme;

/// <summary>The command line of <c>acme-load</c>, checked.</summary>
internal sealed record AcmeLoadOptions(Uri Directory, string CaFile, int Clients, int Orders, TimeSpan PollInterval, int? ServerPid, bool Json, string? JsonFile, string Domain, string Label)
{
    public const string Usage =
        "usage: acme-load --directory URL --ca FILE --clients N --orders M [--poll-ms 50] [--server-pid PID] [--domain SUFFIX] [--label TEXT] [--json] [--json-file PATH]";

    /// <summary>The options, or null after printing what is wrong on stderr.</summary>
    public static AcmeLoadOptions? Parse(string[] args)
    {
        Uri? directory = null;
        string? ca = null;
        int? clients = null, orders = null, pid = null;
        var pollMs = 50;
        var json = false;
        string? jsonFile = null;
        var domain = "home.arpa";
        var label = "server";
        for (var i = 0; i < args.Length; i++)
        {
            var hasValue = i + 1 < args.Length;
            var value = hasValue ? args[i + 1] : string.Empty;
            switch (args[i])
            {
                case "--directory" when hasValue && Uri.TryCreate(value, UriKind.Absolute, out var url) && url.Scheme == Uri.UriSchemeHttps:
                    directory = url;
                    break;
                case "--ca" when hasValue:
                    ca = value;
                    break;
                case "--clients" when hasValue && Positive(value, out var n):
                    clients = n;
                    break;
                case "--orders" when hasValue && Positive(value, out var m):
                    orders = m;
                    break;
                case "--poll-ms" when hasValue && int.TryParse(value, CultureInfo.InvariantCulture, out var ms) && ms is >= 0 and <= 60_000:
                    pollMs = ms;
                    break;
                case "--server-pid" when hasValue && Positive(value, out var p):
                    pid = p;
                    break;
                case "--domain" when hasValue && value.Length > 0:
                    domain = value.TrimEnd('.');
                    break;
                case "--json-file" when hasValue:
                    jsonFile = value;
                    break;
                case "--label" when hasValue:
                    label = value;
                    break;
                case "--json":
                    json = true;
                    continue;
                default:
                    return Refuse($"'{args[i]}' is unknown or its value is missing or invalid (--directory takes an https URL; counts are positive; --poll-ms 0-60000)");
            }

            i++;
        }

        if (directory is null || ca is null || clients is null || orders is null)
        {
            return Refuse("--directory, --ca, --clients and --orders are required");
        }

        if (!File.Exists(ca))
        {
            return Refuse($"--ca {ca}: no such file; give the PEM certificate of the CA that issued the server's TLS certificate");
        }

        if (pid is { } serverPid && !File.Exists($"/proc/{serverPid}/stat"))
        {
            return Refuse($"--server-pid {serverPid}: no such process");
        }

        return new AcmeLoadOptions(directory, ca, clients.Value, orders.Value, TimeSpan.FromMilliseconds(pollMs), pid, json, jsonFile, domain, label);
    }

    private static bool Positive(string text, out int value) =>
        int.TryParse(text, CultureInfo.InvariantCulture, out value) && value > 0;

    private static AcmeLoadOptions? Refuse(string message)
    {
        Console.Error.WriteLine($"acme-load: {message}");
        Console.Error.WriteLine(Usage);
        return null;
    }
}
