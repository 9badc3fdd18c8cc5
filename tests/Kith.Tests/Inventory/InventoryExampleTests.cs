using System.Net;
using Kith.Inventory;
using Kith.Pki;
using static Kith.Tests.Inventory.InventoryAssert;

namespace Kith.Tests.Inventory;

public class InventoryExampleTests
{
    [Fact]
    public void Homelab_example_loads_with_the_expected_counts()
    {
        var inventory = InventoryLoader.LoadFile(RepositoryFile("examples/homelab.yaml"));

        Assert.Equal("home.arpa", inventory.Domain);
        Assert.Equal(["lab.example.org"], inventory.Zones);
        Assert.Equal(["home.arpa", "lab.example.org"], inventory.AllZones);
        Assert.Equal(4, inventory.Machines.Count);
        Assert.Equal(5, inventory.Services.Count);
        Assert.Equal(7, inventory.Machines.Sum(m => m.Addresses.Count));
        Assert.True(Path.IsPathRooted(inventory.SourcePath));
        Assert.Equal(new CaSettings(KeyAlgorithm.EcdsaP384, TimeSpan.FromDays(3650), TimeSpan.FromDays(365), TimeSpan.FromDays(7), 2.0 / 3.0, NameConstraintMode.Endpoints), inventory.Ca);
    }

    [Fact]
    public void Homelab_example_normalizes_names_and_keeps_every_feature()
    {
        var inventory = InventoryLoader.LoadFile(RepositoryFile("examples/homelab.yaml"));
        var storage = inventory.FindMachine("storage")!;
        Assert.Equal([IPAddress.Parse("100.64.0.10"), IPAddress.Parse("fd7a:115c:a1e0::10")], storage.Addresses);
        Assert.Equal(["dns", "bootstrap"], storage.Roles);
        Assert.Equal(["rack1", "zfs"], storage.Tags);

        var services = inventory.Services.ToDictionary(s => s.Name);
        Assert.Equal(["xn--bcher-kva.home.arpa"], services["calibre"].Endpoints);
        Assert.Equal("caddy", services["calibre"].Proxy);
        Assert.Equal(["*.apps.home.arpa"], services["apps"].Endpoints);
        Assert.Equal(ServiceKind.Both, services["postgres"].Kind);
        Assert.Null(services["postgres"].Proxy);
        Assert.Equal(["systemctl", "reload", "postgresql"], services["postgres"].Reload);
        Assert.Equal(new ServiceFiles("/var/lib/acme/db.home.arpa", "/var/lib/acme/db.home.arpa/cert.pem", "/var/lib/acme/db.home.arpa/key.pem", "/var/lib/acme/db.home.arpa/fullchain.pem", "postgres", "postgres", "0600"), services["postgres"].Files);
        Assert.Equal(ServiceKind.Client, services["backup"].Kind);
        Assert.Equal(["backup.laptop.home.arpa"], inventory.CertificateNames(services["backup"]));
        Assert.Equal(["music.home.arpa", "navidrome.home.arpa"], inventory.CertificateNames(services["navidrome"]));
        Assert.Equal(2, inventory.ServicesOn(storage).Count());
        Assert.True(services["navidrome"].Mtls);
        Assert.Equal("edge", services["calibre"].Edge);
        Assert.Equal([IPNetwork.Parse("100.64.0.0/10"), IPNetwork.Parse("fd7a:115c:a1e0::/48")], inventory.Proxy.RealIpFrom);
        Assert.Equal((443, 80, Http3Mode.Auto), (inventory.Proxy.HttpsPort, inventory.Proxy.HttpPort, inventory.Proxy.Http3));
    }

    [Fact]
    public void Minimal_example_loads_with_defaults()
    {
        var inventory = InventoryLoader.LoadFile(RepositoryFile("examples/minimal.yaml"));
        Assert.Equal(CaSettings.Default, inventory.Ca);
        Assert.Empty(inventory.Zones);
        var web = Assert.Single(inventory.Services);
        Assert.Equal(ServiceKind.Server, web.Kind);
        Assert.Null(web.Files);
        Assert.Empty(web.Reload);
        Assert.Null(web.Upstream);
    }

    [Fact]
    public void Names_are_lower_cased_and_the_trailing_dot_dropped()
    {
        var inventory = Loads("domain: Home.ARPA.\nmachines:\n  Storage: {}\nservices:\n  Web:\n    machine: STORAGE\n    endpoints: [WWW.home.arpa.]\n");
        Assert.Equal("home.arpa", inventory.Domain);
        Assert.Equal("storage", inventory.Machines[0].Name);
        var web = inventory.Services[0];
        Assert.Equal(("web", "storage"), (web.Name, web.Machine));
        Assert.Equal(["www.home.arpa"], web.Endpoints);
    }

    [Fact]
    public void Ca_durations_accept_every_unit()
    {
        var inventory = Loads("domain: home.arpa\nca: { root_validity: 2y, host_ca_validity: 52w, leaf_validity: 36h, renew_at: 0.5 }\n");
        Assert.Equal(TimeSpan.FromDays(730), inventory.Ca.RootValidity);
        Assert.Equal(TimeSpan.FromDays(364), inventory.Ca.HostCaValidity);
        Assert.Equal(TimeSpan.FromHours(36), inventory.Ca.LeafValidity);
        Assert.Equal(0.5, inventory.Ca.RenewalFraction);
        Assert.Equal(TimeSpan.FromMinutes(90), CaSettingsReaderDuration("90m"));
        Assert.Equal(TimeSpan.FromSeconds(45), CaSettingsReaderDuration("45s"));
    }

    private static TimeSpan CaSettingsReaderDuration(string text) =>
        Loads($"domain: home.arpa\nca: {{ leaf_validity: {text} }}\n").Ca.LeafValidity;
}
