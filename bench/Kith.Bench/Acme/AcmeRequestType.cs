namespace Kith.Bench.Acme;

/// <summary>The kinds of request the load driver times separately.</summary>
internal enum AcmeRequestType
{
    /// <summary>GET of the directory, once per run.</summary>
    Directory,

    /// <summary>HEAD newNonce: once per client, and whenever a response carried no Replay-Nonce.</summary>
    NewNonce,

    NewAccount,
    NewOrder,

    /// <summary>The first POST-as-GET of an authorization, to find its http-01 challenge.</summary>
    Authz,

    /// <summary>POST {} to the http-01 challenge.</summary>
    Challenge,

    /// <summary>POST-as-GET of the authorization until valid, or of the order until valid after finalize.</summary>
    Poll,

    Finalize,

    /// <summary>POST-as-GET of the certificate chain.</summary>
    Certificate,
}
