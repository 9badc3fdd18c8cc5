namespace Kith.Pki;

/// <summary>The extended key usages of a leaf certificate.</summary>
public enum CertificateUsage
{
    /// <summary>id-kp-serverAuth.</summary>
    Server,

    /// <summary>id-kp-clientAuth (an mTLS client).</summary>
    Client,

    /// <summary>Both serverAuth and clientAuth.</summary>
    Both,
}
