using System.Security.Cryptography.X509Certificates;
using Kith.Fleet;
using Kith.Reconcile;

namespace Kith.Tests.Reconcile;

/// <summary>An edge's copy of a public service (docs/proxy.md) is issued like any endpoint of the machine.</summary>
public class EdgeCopyReconcileTests
{
    [Fact]
    public async Task An_edge_copy_is_issued_into_its_default_folder_and_kept_on_the_next_pass()
    {
        using var f = new ReconcileFixture();
        var copy = new FleetEndpoint("music", ["music.home.arpa"], "server", Folder: "/var/lib/acme/music.home.arpa", Mtls: true, Backend: "backend");
        var state = ReconcileFixture.State(copy);

        var first = await f.PassAsync(state);

        Assert.Equal(EndpointAction.Issued, first["music"].Action);
        var folder = Path.Combine(f.Root, "var", "lib", "acme", "music.home.arpa");
        using var certificate = X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(folder, "fullchain.pem")), File.ReadAllText(Path.Combine(folder, "key.pem")));
        Assert.Equal(["music.home.arpa"], certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single().EnumerateDnsNames());
        Assert.True(File.Exists(Path.Combine(folder, "chain.pem")));
        Assert.Null(first["music"].Reload);

        var second = await f.PassAsync(state);

        Assert.True(second.Quiet);
    }
}
