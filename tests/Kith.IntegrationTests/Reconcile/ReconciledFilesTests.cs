using Kith.Fleet;
using Kith.IntegrationTests.Support;
using Kith.Pki;
using Kith.Reconcile;

namespace Kith.IntegrationTests.Reconcile;

/// <summary>What the reconcile loop writes, judged by openssl: the chain verifies and the key is the certificate's, after every renewal.</summary>
public class ReconciledFilesTests
{
    [Theory]
    [InlineData(KeyAlgorithm.EcdsaP256)]
    [InlineData(KeyAlgorithm.EcdsaP384)]
    [InlineData(KeyAlgorithm.Rsa3072)]
    public async Task Every_pass_leaves_a_matching_cert_and_key_that_openssl_verifies(KeyAlgorithm algorithm)
    {
        using var pki = new TestPki(algorithm);
        using var folder = new TempFolder();
        var (root, _) = pki.WriteCas(folder);

        // RenewAt 0: every pass is past the renewal point, so each one renews.
        var reconciler = new EndpointReconciler(TimeProvider.System, new ReconcileOptions { RenewAt = 0, PathRoot = folder.File("machine") });
        var state = new FleetState(
            1,
            "home.arpa",
            DateTimeOffset.UtcNow,
            [new FleetMachine("storage", [], [], [], [new FleetEndpoint("music", ["music.home.arpa"], "both", Folder: "/var/lib/acme/music.home.arpa")])],
            [],
            [],
            null,
            "ROOT");
        var endpoint = folder.File("machine/var/lib/acme/music.home.arpa");
        var serials = new HashSet<string>(StringComparer.Ordinal);

        for (var pass = 0; pass < 3; pass++)
        {
            var result = await reconciler.ReconcileAsync(state, "storage", pki.Host, TestContext.Current.CancellationToken);
            Assert.Equal(pass == 0 ? EndpointAction.Issued : EndpointAction.Renewed, result["music"].Action);
            Assert.True(serials.Add(result["music"].Serial!));

            var cert = Path.Combine(endpoint, "cert.pem");
            var (code, output) = Openssl.Verify(root, Path.Combine(endpoint, "chain.pem"), cert, "-purpose", "sslserver");
            Assert.True(code == 0, output);
            var (_, fromCert) = Openssl.Run("x509", "-in", cert, "-noout", "-pubkey");
            var (keyCode, fromKey) = Openssl.Run("pkey", "-in", Path.Combine(endpoint, "key.pem"), "-pubout");
            Assert.True(keyCode == 0, fromKey);
            Assert.Equal(fromCert.Trim(), fromKey.Trim());
            var (fullCode, fullOutput) = Openssl.Verify(root, null, Path.Combine(endpoint, "fullchain.pem"), "-untrusted", Path.Combine(endpoint, "fullchain.pem"));
            Assert.True(fullCode == 0, fullOutput);
        }
    }
}
