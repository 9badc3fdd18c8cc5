using System.Net;
using System.Net.Sockets;
using Kith.Acme.Validation;

namespace Kith.IntegrationTests.Acme;

/// <summary>Validator options for loopback tests: names under home.arpa map to loopback addresses; only 127.0.0.1 is allowed.</summary>
internal static class AcmeTestNetwork
{
    public const string Name = "music.home.arpa";

    /// <summary>Resolves to 127.0.0.2, a loopback address the validator is not allowed to reach.</summary>
    public const string ForbiddenName = "rebound.home.arpa";

    public static ChallengeValidationOptions Options(int port, TimeSpan? totalTimeout = null) => new()
    {
        HttpPort = port,
        TlsAlpnPort = port,
        TotalTimeout = totalTimeout ?? TimeSpan.FromSeconds(10),
        ConnectTimeout = TimeSpan.FromSeconds(2),
        IsAllowedAddress = address => address.Equals(IPAddress.Loopback),
        ResolveAddresses = (name, _) => name switch
        {
            Name => Task.FromResult(new[] { IPAddress.Loopback }),
            ForbiddenName => Task.FromResult(new[] { IPAddress.Parse("127.0.0.2") }),
            _ => Task.FromException<IPAddress[]>(new SocketException((int)SocketError.HostNotFound)),
        },
    };

    public static ChallengeRequest Request(string token = "T0k3n") => new(Name, token, token + ".thumbprint-of-the-account-key");
}
