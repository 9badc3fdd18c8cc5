using System.Net;

namespace Kith.Agent;

/// <summary>The agent's ACME server settings (agent.yaml keys acme_*; docs/acme.md, "Running it").</summary>
public sealed record AgentAcmeOptions
{
    /// <summary>The environment variable that must be "1" before <see cref="TestAutoValid"/> is honoured.</summary>
    public const string TestAutoValidVariable = "KITH_ACME_TEST_AUTO_VALID";

    /// <summary>Serve ACME under /acme/ (key acme).</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>The port http-01 is checked on (acme_http01_port); RFC 8555 says 80.</summary>
    public int Http01Port { get; init; } = 80;

    /// <summary>The port tls-alpn-01 is checked on (acme_tls_alpn01_port); RFC 8737 says 443.</summary>
    public int TlsAlpn01Port { get; init; } = 443;

    /// <summary>Resolvers asked for dns-01 TXT records (acme_dns_resolvers); empty means the system's.</summary>
    public IReadOnlyList<IPEndPoint> DnsResolvers { get; init; } = [];

    /// <summary>newAccount needs an External Account Binding (acme_external_account_required).</summary>
    public bool ExternalAccountRequired { get; init; }

    /// <summary>New orders per account per minute (acme_orders_per_minute); the burst is five minutes' worth.</summary>
    public int OrdersPerMinute { get; init; } = 60;

    /// <summary>Tests and benchmarks only (acme_test_auto_valid): every challenge is valid without being checked.</summary>
    public bool TestAutoValid { get; init; }
}
