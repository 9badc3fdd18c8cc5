namespace Kith.IntegrationTests.Support;

/// <summary>Inventory texts several tests start from; a test that needs a variant adds to or replaces part of one.</summary>
internal static class TestInventories
{
    /// <summary>Machine alpha at 127.0.0.1 and no service: for a workspace whose real inventory is written later.</summary>
    public const string AlphaOnly = "domain: home.arpa\nmachines:\n  alpha: { addresses: [127.0.0.1] }\n";

    /// <summary>Machine alpha at 127.0.0.1 with service web (web.home.arpa) whose files go to /var/lib/acme/web.</summary>
    public const string AlphaWithWeb = """
        domain: home.arpa
        machines:
          alpha: { addresses: [127.0.0.1] }
        services:
          web:
            machine: alpha
            endpoints: [web.home.arpa]
            files: { dir: /var/lib/acme/web }
        """;

    /// <summary>Machines alpha, beta and gamma at 127.0.0.1 to 127.0.0.3; service web on alpha as in <see cref="AlphaWithWeb"/>.</summary>
    public const string ThreeMachinesWebOnAlpha = """
        domain: home.arpa
        machines:
          alpha: { addresses: [127.0.0.1] }
          beta: { addresses: [127.0.0.2] }
          gamma: { addresses: [127.0.0.3] }
        services:
          web:
            machine: alpha
            endpoints: [web.home.arpa]
            files: { dir: /var/lib/acme/web }
        """;
}
