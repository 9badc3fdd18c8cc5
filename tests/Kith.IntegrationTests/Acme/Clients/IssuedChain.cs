using System.Security.Cryptography.X509Certificates;
using Kith.IntegrationTests.Support;

namespace Kith.IntegrationTests.Acme.Clients;

/// <summary>The checks a user makes on what an ACME client saved: openssl accepts the chain, the names are the ones asked for.</summary>
internal static class IssuedChain
{
    /// <summary>
    /// openssl verify -x509_strict with <paramref name="rootFile"/> as the only trust anchor and the client's saved chain as
    /// the untrusted intermediates, then the leaf's DNS names compared with <paramref name="names"/> (order ignored).
    /// </summary>
    public static void AssertValid(IssuanceRun issued, string rootFile, IReadOnlyCollection<string> names)
    {
        Assert.True(issued.Succeeded, issued.ToString());
        var (exitCode, output) = Openssl.Verify(rootFile, issued.Files.Chain, issued.Files.Certificate);
        Assert.True(exitCode == 0, $"openssl verify: {output}\n{issued}");
        Assert.Equal(names.Order(StringComparer.Ordinal), DnsNames(issued.Files.Certificate).Order(StringComparer.Ordinal));
    }

    /// <summary>The first certificate of a PEM file.</summary>
    public static X509Certificate2 Leaf(string pemFile) => X509Certificate2.CreateFromPem(File.ReadAllText(pemFile));

    public static IReadOnlyList<string> DnsNames(string pemFile)
    {
        using var leaf = Leaf(pemFile);
        var names = leaf.Extensions.OfType<X509SubjectAlternativeNameExtension>().SingleOrDefault();
        return names is null ? [] : [.. names.EnumerateDnsNames()];
    }
}
