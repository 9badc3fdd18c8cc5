using static Kith.Tests.Inventory.InventoryAssert;

namespace Kith.Tests.Inventory;

public class InventoryFieldRuleTests
{
    // Service "web" on machine storage with one endpoint; the body starts on line 8.
    private static string Web(string body) => Base + "\nservices:\n  web:\n    machine: storage\n    endpoints: [www.home.arpa]\n" + body;

    private static string Ca(string line) => "domain: home.arpa\nca:\n  " + line + "\n";

    [Theory]
    [InlineData("key: ed25519", 3, 8, "ca.key", "valid values: ecdsa-p256, ecdsa-p384, rsa-3072")]
    [InlineData("name_constraints: all", 3, 21, "ca.name_constraints", "valid values: endpoints, domain, none")]
    [InlineData("leaf_validity: 7", 3, 18, "ca.leaf_validity", "unit")]
    [InlineData("leaf_validity: 7days", 3, 18, "ca.leaf_validity", "not a duration")]
    [InlineData("leaf_validity: 0d", 3, 18, "ca.leaf_validity", "zero")]
    [InlineData("leaf_validity: -1d", 3, 18, "ca.leaf_validity", "not a duration")]
    [InlineData("root_validity: 999y", 3, 18, "ca.root_validity", "100 years")]
    [InlineData("renew_at: soon", 3, 13, "ca.renew_at", "expected a number")]
    [InlineData("renew_at: 1.5", 3, 13, "ca.renew_at", "strictly between 0 and 1")]
    [InlineData("renew_at: \"3/2\"", 3, 13, "ca.renew_at", "strictly between 0 and 1")]
    [InlineData("renew_at: [0.5]", 3, 13, "ca.renew_at", "expected a string, found a list")]
    [InlineData("leaf_validity: 400d", 3, 18, "ca.leaf_validity", "cannot outlive its Host CA")]
    [InlineData("host_ca_validity: 11y", 3, 21, "ca.host_ca_validity", "cannot outlive the Root")]
    [InlineData("keys: rsa-3072", 3, 3, "ca.keys", "did you mean 'key'?")]
    public void Invalid_ca_settings_are_reported(string line, int row, int column, string field, string keyword) =>
        HasError(Ca(line), row, column, field, keyword);

    [Fact]
    public void Renewal_fraction_accepts_a_quoted_fraction() =>
        Assert.Equal(0.75, Loads(Ca("renew_at: \"3/4\"")).Ca.RenewalFraction);

    [Theory]
    [InlineData("1.2.3", "not an IP address")]
    [InlineData("010.0.0.1", "not an IP address")]
    [InlineData("256.0.0.1", "not an IP address")]
    [InlineData("10.0.0.1/24", "prefix length")]
    [InlineData("fe80::1%eth0", "not an IP address")]
    [InlineData("storage.home.arpa", "not an IP address")]
    public void Invalid_ip_address_is_reported(string address, string keyword) =>
        HasError($"domain: home.arpa\nmachines:\n  nas:\n    addresses: [10.0.0.1, \"{address}\"]\n", 4, 27, "machines.nas.addresses[1]", keyword);

    [Fact]
    public void Address_of_two_machines_is_reported() =>
        HasError("domain: home.arpa\nmachines:\n  a: { addresses: [10.0.0.1] }\n  b: { addresses: [\"10.0.0.1\"] }\n", 4, 20, "machines.b.addresses[0]", "also declared by machine 'a' at kith.yaml:3:20");

    [Fact]
    public void Unknown_role_lists_the_valid_roles() =>
        HasError("domain: home.arpa\nmachines:\n  nas: { roles: [dns, router] }\n", 3, 23, "machines.nas.roles[1]", "valid roles: dns, bootstrap, edge");

    [Fact]
    public void Unknown_kind_lists_the_valid_kinds() =>
        HasError(Web("    kind: peer\n"), 8, 11, "services.web.kind", "valid values: server, client, both");

    [Fact]
    public void Unknown_proxy_lists_the_valid_proxies() =>
        HasError(Web("    upstream: http://127.0.0.1:80\n    proxy: apache\n"), 9, 12, "services.web.proxy", "valid values: nginx, caddy, none");

    [Fact]
    public void Proxy_without_upstream_is_reported() =>
        HasError(Web("    proxy: nginx\n"), 8, 12, "services.web.proxy", "needs an upstream");

    [Theory]
    [InlineData("127.0.0.1:4533")]
    [InlineData("ftp://127.0.0.1/")]
    [InlineData("/var/run/app.sock")]
    public void Upstream_must_be_an_absolute_http_url(string upstream) =>
        HasError(Web($"    upstream: \"{upstream}\"\n"), 8, 15, "services.web.upstream", "absolute http or https URL");

    [Fact]
    public void Reload_as_a_plain_string_says_to_use_a_list() =>
        HasError(Web("    reload: systemctl reload nginx\n"), 8, 13, "services.web.reload", "write reload: [systemctl, reload, nginx]");

    [Fact]
    public void Reload_with_an_empty_argument_is_reported() =>
        HasError(Web("    reload: [systemctl, \"\"]\n"), 8, 25, "services.web.reload[1]", "empty");

    [Theory]
    [InlineData("dir: var/lib/acme/web", 9, 12, "dir", "not an absolute path")]
    [InlineData("cert: /var/lib/acme/../../etc/cert.pem", 9, 13, "cert", "'..'")]
    [InlineData("key: \"/var/lib/acme/web/key\\npem\"", 9, 12, "key", "line-break")]
    [InlineData("fullchain: \"/var/lib/acme/web\\0\"", 9, 18, "fullchain", "NUL")]
    [InlineData("owner: Root", 9, 14, "owner", "not a valid account name")]
    [InlineData("group: 1web", 9, 14, "group", "not a valid account name")]
    [InlineData("mode: \"0999\"", 9, 13, "mode", "octal")]
    [InlineData("mode: \"rw-r-----\"", 9, 13, "mode", "octal")]
    [InlineData("mode: 0640", 9, 13, "mode", "quote the mode")]
    [InlineData("user: web", 9, 7, "user", "valid keys: dir, cert, key, fullchain, owner, group, mode")]
    public void Invalid_files_settings_are_reported(string setting, int line, int column, string key, string keyword) =>
        HasError(Web("    files:\n      " + setting + "\n"), line, column, "services.web.files." + key, keyword);

    [Fact]
    public void Mode_of_three_digits_is_written_with_a_leading_zero() =>
        Assert.Equal("0640", Loads(Web("    files: { mode: \"640\" }\n")).Services[0].Files!.Mode);

    [Fact]
    public void Client_service_with_a_proxy_is_reported() =>
        HasError(Base + "\nservices:\n  b:\n    machine: storage\n    kind: client\n    upstream: http://127.0.0.1:1\n    proxy: caddy\n", 9, 12, "services.b.proxy", "nothing to proxy");
}
