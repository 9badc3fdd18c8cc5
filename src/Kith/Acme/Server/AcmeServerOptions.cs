namespace Kith.Acme.Server;

/// <summary>How the ACME server behaves (docs/acme.md, "The server").</summary>
public sealed class AcmeServerOptions
{
    /// <summary>The path the resources hang under, with leading and trailing slash.</summary>
    public string BasePath { get; init; } = "/acme/";

    /// <summary>Largest JWS body accepted (a finalize with an 8192-bit RSA CSR is about 3 KiB).</summary>
    public int MaxBodyBytes { get; init; } = 64 * 1024;

    /// <summary>newAccount needs an External Account Binding made by <c>kith acme eab create</c>.</summary>
    public bool ExternalAccountRequired { get; init; }

    /// <summary>Names CAA records may use to authorize this CA (directory meta).</summary>
    public IReadOnlyList<string> CaaIdentities { get; init; } = [];

    /// <summary>How long a pending order and its authorizations stay usable.</summary>
    public TimeSpan OrderLifetime { get; init; } = TimeSpan.FromHours(24);

    /// <summary>How long an order is kept after it expired, or after its certificate expired (<see cref="AcmeServer.PruneAsync"/>).</summary>
    public TimeSpan OrderRetention { get; init; } = TimeSpan.FromDays(30);

    /// <summary>New orders per account per minute (token bucket refill) and the burst allowed.</summary>
    public double OrdersPerMinute { get; init; } = 60;

    /// <summary>The burst of new orders an account may make at once.</summary>
    public int OrderBurst { get; init; } = 300;

    /// <summary>What Retry-After says to a client polling an order or challenge that is still processing.</summary>
    public int PollRetryAfterSeconds { get; init; } = 1;

    /// <summary>What Retry-After says on a renewalInfo answer (RFC 9773 §4.2).</summary>
    public int RenewalInfoRetryAfterSeconds { get; init; } = 3600;

    /// <summary>
    /// Tests and benchmarks only: every challenge is valid without looking. The agent refuses this unless the
    /// environment says KITH_ACME_TEST_AUTO_VALID=1.
    /// </summary>
    public bool AutoValidChallenges { get; init; }
}
