using System.Net;

namespace Kith.Doctor;

/// <summary>What a name lookup found.</summary>
public enum DnsOutcome
{
    /// <summary>At least one address.</summary>
    Found,

    /// <summary>NXDOMAIN: the name does not exist.</summary>
    NoSuchName,

    /// <summary>The name exists but has no A or AAAA record (NODATA).</summary>
    NoAddress,

    /// <summary>The server did not answer, or answered with an error (SERVFAIL, REFUSED, a timeout).</summary>
    ServerFailed,

    /// <summary>Not asked: no fleet DNS server is known.</summary>
    NotAsked,
}

/// <summary>One lookup's result: its outcome, the addresses (CNAMEs followed), and the words for the table.</summary>
public sealed record DnsLookup(DnsOutcome Outcome, IReadOnlyList<IPAddress> Addresses, string Detail)
{
    public bool Missing => Outcome is DnsOutcome.NoSuchName or DnsOutcome.NoAddress;
}
