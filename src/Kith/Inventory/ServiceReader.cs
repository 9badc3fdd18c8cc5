using Kith.Proxy;

namespace Kith.Inventory;

/// <summary>A certificate name of a service with where it was written, for the fleet-wide checks.</summary>
internal sealed record ServiceName(string Name, YNode Node, string Field, string Service, string Machine);

/// <summary>The fleet's zones once read: null <see cref="Domain"/> when it was missing or invalid.</summary>
internal sealed record ZoneSet(string? Domain, IReadOnlyList<string> All);

/// <summary>Reads the <c>services:</c> map and checks each service on its own.</summary>
internal static class ServiceReader
{
    private static readonly string[] Keys = ["machine", "endpoints", "aliases", "kind", "files", "reload", "upstream", "proxy", "mtls", "public", "edge"];

    /// <param name="edges">The machines with role edge, in inventory order.</param>
    public static List<Service> Read(NodeReader reader, YNode? node, ZoneSet zones, IReadOnlyDictionary<string, Located> machines, IReadOnlyList<string> edges, List<ServiceName> names)
    {
        var services = new List<Service>();
        var seen = new Dictionary<string, YNode>(StringComparer.Ordinal);
        foreach (var (key, value) in reader.Map(node, "services")?.Entries ?? [])
        {
            var field = NodeReader.Join("services", key.Value);
            var name = key.Value.ToLowerInvariant();
            if (!DnsName.IsLabel(name))
            {
                reader.Error(key, field, $"service name '{key.Value}' is not a single DNS label (1-63 letters, digits, '-'; no dots)");
                continue;
            }

            if (!seen.TryAdd(name, key))
            {
                reader.Error(key, field, $"service '{name}' is declared twice (also at {reader.Where(seen[name])}); names are case-insensitive");
                continue;
            }

            var body = reader.Map(value, field);
            if (body is null && value is not YScalar { IsNull: true })
            {
                continue; // reported as a wrong type; its fields would only repeat that
            }

            var service = ReadOne(reader, body ?? new YMapping([], key.Line, key.Column), key, field, name, zones, machines, names);
            if (service is not null && body is not null)
            {
                service = ServiceProxyReader.Read(reader, body, field, service, edges);
            }

            if (service is not null)
            {
                services.Add(service);
            }
        }

        return services;
    }

    private static Service? ReadOne(NodeReader reader, YMapping map, YScalar key, string field, string name, ZoneSet zones, IReadOnlyDictionary<string, Located> machines, List<ServiceName> names)
    {
        reader.OnlyKeys(map, field, Keys);
        var machine = Machine(reader, map, key, field, machines);
        var kind = reader.Choice(NodeReader.Get(map, "kind"), field + ".kind", "kind", ServiceKind.Server, ("server", ServiceKind.Server), ("client", ServiceKind.Client), ("both", ServiceKind.Both));
        var endpoints = Names(reader, map, field, "endpoints", zones, name, machine, names);
        var aliases = Names(reader, map, field, "aliases", zones, name, machine, names);
        var files = ServiceFilesReader.Read(reader, NodeReader.Get(map, "files"), field + ".files");
        var reload = Reload(reader, NodeReader.Get(map, "reload"), field + ".reload");
        var upstream = Upstream(reader, NodeReader.Get(map, "upstream"), field + ".upstream");
        var proxyNode = NodeReader.Get(map, "proxy");
        var proxy = reader.Choice(proxyNode, field + ".proxy", "proxy", null, ("nginx", "nginx"), ("caddy", "caddy"), ("none", (string?)null));

        // Only when none were written: invalid ones have been reported already.
        var endpointsNode = NodeReader.Get(map, "endpoints");
        if (kind != ServiceKind.Client && endpointsNode is null or YScalar { IsNull: true } or YSequence { Items.Count: 0 })
        {
            reader.Error(endpointsNode ?? key, field + ".endpoints", $"a {kind.ToString().ToLowerInvariant()} service needs at least one endpoint (a DNS name clients connect to); only kind: client may have none");
        }

        if (proxy is not null && kind == ServiceKind.Client)
        {
            reader.Error(proxyNode!, field + ".proxy", "a client service has nothing to proxy; remove proxy or use kind: server");
        }
        else if (proxy is not null && NodeReader.Get(map, "upstream") is null or YScalar { IsNull: true })
        {
            reader.Error(proxyNode!, field + ".proxy", $"proxy {proxy} needs an upstream: the http://host:port the proxy forwards to");
        }

        if (machine is null)
        {
            return null;
        }

        if (kind == ServiceKind.Client && endpoints.Count == 0 && aliases.Count == 0 && zones.Domain is not null)
        {
            // The name FleetInventory.CertificateNames gives such a certificate; it must not clash either.
            var implicitName = $"{name}.{machine}.{zones.Domain}";
            if (DnsName.TryNormalize(implicitName, out _, out var error))
            {
                names.Add(new ServiceName(implicitName, key, field, name, machine));
            }
            else
            {
                reader.Error(key, field, $"the certificate name {implicitName} of this client service is not a valid DNS name: {error}; give it an endpoint");
            }
        }

        return new Service(name, machine, endpoints, aliases, kind, files, reload, upstream, proxy);
    }

    private static string? Machine(NodeReader reader, YMapping map, YScalar key, string field, IReadOnlyDictionary<string, Located> machines)
    {
        var node = NodeReader.Get(map, "machine");
        var text = reader.Text(node, field + ".machine");
        if (text is null || node is null)
        {
            reader.Missing(node is null ? key : node, field + ".machine", "the name of the machine this service runs on");
            return null;
        }

        var machine = text.ToLowerInvariant();
        if (!machines.ContainsKey(machine))
        {
            var known = machines.Count == 0 ? "no machines are declared under machines:" : "declared machines: " + string.Join(", ", machines.Keys.Order(StringComparer.Ordinal));
            reader.Error(node, field + ".machine", $"unknown machine '{text}'; {known}");
            return null;
        }

        return machine;
    }

    private static List<string> Names(NodeReader reader, YMapping map, string field, string key, ZoneSet zones, string service, string? machine, List<ServiceName> names)
    {
        var result = new List<string>();
        foreach (var item in reader.TextList(NodeReader.Get(map, key), $"{field}.{key}", $"write {key}: [name.example]"))
        {
            if (!DnsName.TryNormalize(item.Value, out var normalized, out var error, allowWildcard: true))
            {
                reader.Error(item.Node, item.Field, $"'{item.Value}' is not a valid DNS name: {error}");
                continue;
            }

            if (zones.Domain is not null && CheckZones(normalized, zones) is { Length: > 0 } problem)
            {
                reader.Error(item.Node, item.Field, problem);
                continue;
            }

            result.Add(normalized);
            if (machine is not null)
            {
                names.Add(new ServiceName(normalized, item.Node, item.Field, service, machine));
            }
        }

        return result;
    }

    private static string CheckZones(string name, ZoneSet zones)
    {
        if (!zones.All.Any(zone => DnsName.IsWithin(name, zone)))
        {
            return $"'{name}' is outside every zone of this fleet; allowed zones: {string.Join(", ", zones.All)} (add to zones: to allow another)";
        }

        // With name_constraints: endpoints a name is a permitted subtree (RFC 5280 §4.2.1.10), so a
        // zone apex would hand the machine every name of the zone.
        if (zones.All.Contains(name))
        {
            return $"'{name}' is a zone itself; an endpoint there would allow its machine every name in the zone; use a name below it";
        }

        if (name.StartsWith("*.", StringComparison.Ordinal) && zones.All.Contains(name[2..]))
        {
            return $"'{name}' covers the whole zone {name[2..]}; its machine could then be given every name in it; put the wildcard one level lower, e.g. *.apps.{name[2..]}";
        }

        return string.Empty;
    }

    private static List<string> Reload(NodeReader reader, YNode? node, string field)
    {
        if (node is YScalar { IsNull: false } scalar)
        {
            var words = string.Join(", ", scalar.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries));
            reader.Error(node, field, $"reload is a command as a list of arguments, not a string: write reload: [{words}]");
            return [];
        }

        var result = new List<string>();
        foreach (var item in reader.TextList(node, field))
        {
            if (item.Value.Length == 0 || item.Value.Contains('\0', StringComparison.Ordinal))
            {
                reader.Error(item.Node, item.Field, "an argument is empty or contains NUL");
            }
            else
            {
                result.Add(item.Value);
            }
        }

        return result;
    }

    private static string? Upstream(NodeReader reader, YNode? node, string field)
    {
        var text = reader.Text(node, field);
        if (text is null || node is null)
        {
            return null;
        }

        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")
            || uri.Host.Length == 0 || text.Any(char.IsWhiteSpace))
        {
            reader.Error(node, field, $"'{text}' is not an absolute http or https URL; write e.g. http://127.0.0.1:4533");
            return null;
        }

        // The URL goes into the proxy config: one character nginx or Caddy reads as syntax could add directives.
        if (ProxyText.Problem(text) is { } problem)
        {
            reader.Error(node, field, $"'{Shown(text)}' cannot go into a proxy config: {problem}; write a plain URL like http://127.0.0.1:4533/app");
            return null;
        }

        if (uri.UserInfo.Length > 0 || uri.Query.Length > 0 || uri.Fragment.Length > 0)
        {
            reader.Error(node, field, $"'{text}' has a user name, query or fragment, which a proxy cannot forward to; write only scheme, host, port and path, e.g. http://127.0.0.1:4533/app");
            return null;
        }

        return text;
    }

    /// <summary>A value for an error message: control characters escaped.</summary>
    internal static string Shown(string value) =>
        string.Concat(value.Select(c => c is < ' ' or '\u007f' ? $"\\x{(int)c:x2}" : c.ToString()));
}
