namespace Kith.Fleet;

/// <summary>Why a fleet state was refused.</summary>
public enum FleetStateRefusal
{
    /// <summary>Too large, not JSON, not base64, a field missing, no certificate.</summary>
    Malformed,

    /// <summary>The signature does not verify over the payload with the publisher's key.</summary>
    BadSignature,

    /// <summary>The publisher certificate does not chain to this Root (the only trust anchor).</summary>
    PublisherNotCertified,

    /// <summary>The publisher certificate is not for publishing (no kith EKU, a CA, no digitalSignature, not ECDSA P-256).</summary>
    PublisherNotAuthorized,

    /// <summary>The publisher certificate is expired or not yet valid.</summary>
    PublisherExpired,

    /// <summary>The version is not higher than the last accepted one (rollback or replay).</summary>
    NotNewer,

    /// <summary>The state is for another fleet domain.</summary>
    DomainMismatch,
}

/// <summary>What <see cref="FleetStateVerifier"/> decided: a value, never an exception.</summary>
public abstract record FleetStateVerdict
{
    private FleetStateVerdict()
    {
    }

    public sealed record Accepted(FleetState State) : FleetStateVerdict;

    public sealed record Refused(FleetStateRefusal Reason, string Detail) : FleetStateVerdict
    {
        public override string ToString() => $"{Reason}: {Detail}";
    }
}
