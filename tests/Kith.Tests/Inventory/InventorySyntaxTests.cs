using Kith.Inventory;
using static Kith.Tests.Inventory.InventoryAssert;

namespace Kith.Tests.Inventory;

public class InventorySyntaxTests
{
    [Fact]
    public void Yaml_syntax_error_is_reported_with_line_and_column()
    {
        var errors = Fails("domain: home.arpa\nmachines:\n  storage: [1, 2\n");
        var error = Assert.Single(errors);
        Assert.Equal("(syntax)", error.Field);
        Assert.Contains("YAML syntax error", error.Message, StringComparison.Ordinal);
        Assert.True(error.Line >= 3, error.ToString());
        Assert.StartsWith($"kith.yaml:{error.Line}:{error.Column}: ", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_key_is_reported_with_line_and_column() =>
        HasError("domain: home.arpa\ndomian: x\n", 2, 1, "domian", "did you mean 'domain'?");

    [Fact]
    public void Unknown_key_inside_a_service_lists_the_valid_keys() =>
        HasError(Base + "\nservices:\n  web:\n    machine: storage\n    endpoint: [www.home.arpa]\n", 7, 5, "services.web.endpoint", "valid keys: machine, endpoints");

    [Fact]
    public void Duplicate_key_is_reported_at_its_second_occurrence() =>
        HasError("domain: home.arpa\nmachines:\n  a: {}\n  a: {}\n", 4, 3, "machines.a", "duplicate key 'a' (first at line 3");

    [Fact]
    public void A_map_where_a_list_is_expected_names_the_expected_type() =>
        HasError(Base + "\nservices:\n  web:\n    machine: storage\n    endpoints: { a: b }\n", 7, 16, "services.web.endpoints", "expected a list, found a map");

    [Fact]
    public void A_list_where_a_string_is_expected_names_the_expected_type() =>
        HasError("domain: [home.arpa]\n", 1, 9, "domain", "expected a string, found a list");

    [Fact]
    public void A_document_that_is_not_a_map_is_refused() =>
        HasError("- a\n- b\n", 1, 1, "(document)", "expected a map");

    [Fact]
    public void A_service_that_is_not_a_map_is_reported_once()
    {
        var error = Assert.Single(Fails(Base + "\nservices:\n  web: storage\n"));
        Assert.Equal(("services.web", 5, 8), (error.Field, error.Line, error.Column));
        Assert.Contains("expected a map", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_domain_is_reported() =>
        HasError("machines: {}\n", 1, 1, "domain", "required");

    [Fact]
    public void Empty_file_is_reported_as_missing_domain() =>
        HasError("# nothing yet\n", 1, 1, "domain", "required");

    [Fact]
    public void Missing_machine_of_a_service_is_reported_at_the_service() =>
        HasError(Base + "\nservices:\n  web:\n    endpoints: [www.home.arpa]\n", 5, 3, "services.web.machine", "required");

    [Fact]
    public void A_second_document_is_refused() =>
        HasError("domain: home.arpa\n---\ndomain: other.arpa\n", 2, 1, "(document)", "second YAML document");

    [Fact]
    public void An_undefined_alias_is_reported() =>
        HasError("domain: *nowhere\n", 1, 9, "domain", "no anchor");

    [Fact]
    public void Anchors_and_aliases_are_followed()
    {
        var inventory = Loads("domain: home.arpa\nmachines:\n  a: &m { tags: [x] }\n  b: *m\n");
        Assert.All(inventory.Machines, m => Assert.Equal(["x"], m.Tags));
    }

    [Fact]
    public void Every_problem_is_reported_at_once_in_file_order()
    {
        var errors = Fails("domain: -bad.arpa\nmachines:\n  web_1: {}\n  ok: { roles: [dns, chef] }\n");
        Assert.Equal(3, errors.Count);
        Assert.Equal([1, 3, 4], errors.Select(e => e.Line));
        var exception = Assert.Throws<InventoryException>(() => Loads("domain: -bad.arpa\n"));
        Assert.Contains("kith.yaml:1:9: domain:", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Deep_nesting_is_refused_early_without_overflowing_the_stack()
    {
        var errors = Fails("domain: home.arpa\nzones: " + new string('[', 1_000_000) + new string(']', 1_000_000) + "\n");
        Assert.Contains("nesting deeper than 64", Assert.Single(errors).Message, StringComparison.Ordinal);
    }
}
