namespace Kith.IntegrationTests.Support;

/// <summary>Inventory texts several tests start from; a test that needs a variant adds to or replaces part of one.</summary>
internal static class TestInventories
{
    /// <summary>Machine alpha at 127.0.0.1 and no service: for a workspace whose real inventory is written later.</summary>
    public const string AlphaOnly = "domain: home.arpa\nmachines:\n  alpha: { addresses: [127.0.0.1] }\n";

    /// <summary>
    /// <see cref="AlphaOnly"/> with service web (web.home.arpa) and no files dir: an agent given this state
    /// writes no endpoint files, so it needs no files_root.
    /// </summary>
    public const string AlphaWithWebWithoutFiles = AlphaOnly + WebOnAlpha;

    /// <summary><see cref="AlphaOnly"/> with service web (web.home.arpa) whose files go to /var/lib/acme/web.</summary>
    public const string AlphaWithWeb = AlphaWithWebWithoutFiles + WebFiles;

    /// <summary>Machines alpha, beta and gamma at 127.0.0.1 to 127.0.0.3; service web on alpha as in <see cref="AlphaWithWeb"/>.</summary>
    public const string ThreeMachinesWebOnAlpha = """
        domain: home.arpa
        machines:
          alpha: { addresses: [127.0.0.1] }
          beta: { addresses: [127.0.0.2] }
          gamma: { addresses: [127.0.0.3] }

        """ + WebOnAlpha + WebFiles;

    private const string WebOnAlpha = """
        services:
          web:
            machine: alpha
            endpoints: [web.home.arpa]
        """;

    private const string WebFiles = "\n    files: { dir: /var/lib/acme/web }";
}
