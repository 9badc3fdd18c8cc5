using static Kith.Tests.Inventory.InventoryAssert;

namespace Kith.Tests.Inventory;

public class InventoryNameRuleTests
{
    // Service "web" on machine storage; the body starts on line 7.
    private static string Web(string body) => Base + "\nservices:\n  web:\n    machine: storage\n" + body;

    [Fact]
    public void Invalid_domain_is_reported_with_the_reason() =>
        HasError("domain: home_lab.arpa\n", 1, 9, "domain", "'_'");

    [Fact]
    public void Invalid_zone_is_reported() =>
        HasError("domain: home.arpa\nzones: [ok.internal, -bad.internal]\n", 2, 22, "zones[1]", "not a valid DNS name");

    [Fact]
    public void Zone_equal_to_the_domain_is_reported() =>
        HasError("domain: home.arpa\nzones: [Home.Arpa]\n", 2, 9, "zones[0]", "is the domain already");

    [Fact]
    public void Invalid_endpoint_is_reported_with_the_reason() =>
        HasError(Web("    endpoints: [ok.home.arpa, a..home.arpa]\n"), 7, 31, "services.web.endpoints[1]", "empty label");

    [Fact]
    public void Invalid_alias_is_reported() =>
        HasError(Web("    endpoints: [ok.home.arpa]\n    aliases: [x.*.home.arpa]\n"), 8, 15, "services.web.aliases[0]", "leftmost");

    [Fact]
    public void Machine_name_that_is_not_a_single_label_is_reported() =>
        HasError("domain: home.arpa\nmachines:\n  nas.lan: {}\n", 3, 3, "machines.nas.lan", "single DNS label");

    [Fact]
    public void Service_name_that_is_not_a_single_label_is_reported() =>
        HasError(Base + "\nservices:\n  my_app:\n    machine: storage\n", 5, 3, "services.my_app", "single DNS label");

    [Fact]
    public void Machine_declared_twice_in_different_case_is_reported() =>
        HasError("domain: home.arpa\nmachines:\n  nas: {}\n  NAS: {}\n", 4, 3, "machines.NAS", "declared twice");

    [Fact]
    public void Endpoint_outside_every_zone_lists_the_allowed_zones() =>
        HasError("domain: home.arpa\nzones: [lab.internal]\nmachines: { storage: {} }\nservices:\n  web: { machine: storage, endpoints: [www.example.com] }\n", 5, 40, "services.web.endpoints[0]", "allowed zones: home.arpa, lab.internal");

    [Fact]
    public void Endpoint_in_an_extra_zone_is_accepted() =>
        Assert.Equal(["www.lab.internal"], Loads("domain: home.arpa\nzones: [lab.internal]\nmachines: { storage: {} }\nservices:\n  web: { machine: storage, endpoints: [www.lab.internal] }\n").Services[0].Endpoints);

    [Fact]
    public void Endpoint_equal_to_a_zone_is_refused() =>
        HasError(Web("    endpoints: [home.arpa]\n"), 7, 17, "services.web.endpoints[0]", "is a zone itself");

    [Fact]
    public void Wildcard_directly_below_a_zone_is_refused() =>
        HasError(Web("    endpoints: ['*.home.arpa']\n"), 7, 17, "services.web.endpoints[0]", "covers the whole zone");

    [Fact]
    public void Same_endpoint_in_two_services_names_both_places() =>
        HasError(Base + "\nservices:\n  a: { machine: storage, endpoints: [x.home.arpa] }\n  b: { machine: storage, aliases: [X.home.arpa], endpoints: [y.home.arpa] }\n", 6, 36, "services.b.aliases[0]", "also declared by service 'a' at kith.yaml:5:38");

    [Fact]
    public void Same_endpoint_twice_in_one_service_is_reported() =>
        HasError(Web("    endpoints: [x.home.arpa, x.home.arpa]\n"), 7, 30, "services.web.endpoints[1]", "also declared by service 'web'");

    [Fact]
    public void Endpoint_equal_to_a_machine_name_is_refused() =>
        HasError(Web("    endpoints: [storage.home.arpa]\n"), 7, 17, "services.web.endpoints[0]", "is the name of machine 'storage'");

    [Fact]
    public void Client_service_name_clashing_with_an_endpoint_is_reported() =>
        HasError(Base + "\nservices:\n  a: { machine: storage, endpoints: [b.storage.home.arpa] }\n  b: { machine: storage, kind: client }\n", 6, 3, "services.b", "also declared by service 'a'");

    [Fact]
    public void Service_on_an_unknown_machine_lists_the_known_machines() =>
        HasError(Base + "\nservices:\n  web: { machine: nas, endpoints: [www.home.arpa] }\n", 5, 19, "services.web.machine", "declared machines: storage");

    [Fact]
    public void Endpoint_inside_another_machines_name_is_refused_when_constraining_to_endpoints() =>
        HasError("domain: home.arpa\nmachines: { a: {}, b: {} }\nservices:\n  x: { machine: a, endpoints: [music.home.arpa] }\n  y: { machine: b, endpoints: [eu.music.home.arpa] }\n", 5, 32, "services.y.endpoints[0]", "lies within 'music.home.arpa' of machine 'a'");

    [Fact]
    public void Endpoint_inside_another_machines_name_is_allowed_with_domain_constraints() =>
        Assert.Equal(2, Loads("domain: home.arpa\nca: { name_constraints: domain }\nmachines: { a: {}, b: {} }\nservices:\n  x: { machine: a, endpoints: [music.home.arpa] }\n  y: { machine: b, endpoints: [eu.music.home.arpa] }\n").Services.Count);

    [Fact]
    public void Server_service_without_endpoints_is_reported() =>
        HasError(Base + "\nservices:\n  web: { machine: storage }\n", 5, 3, "services.web.endpoints", "at least one endpoint");

    [Fact]
    public void Client_service_without_endpoints_is_named_after_service_and_machine()
    {
        var inventory = Loads(Base + "\nservices:\n  backup: { machine: storage, kind: client }\n");
        Assert.Equal(["backup.storage.home.arpa"], inventory.CertificateNames(inventory.Services[0]));
    }
}
