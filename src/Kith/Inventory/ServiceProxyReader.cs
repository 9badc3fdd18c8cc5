using Kith.Proxy;

namespace Kith.Inventory;

/// <summary>
/// Reads a service's proxy keys beyond <c>proxy</c> and <c>upstream</c> (docs/proxy.md): <c>mtls</c>, <c>public</c>,
/// <c>edge</c>, and checks that the file paths a proxy config will name cannot inject directives into it.
/// </summary>
internal static class ServiceProxyReader
{
    private static readonly string[] PathKeys = ["dir", "cert", "key", "fullchain"];

    /// <param name="edges">The machines with role edge.</param>
    public static Service Read(NodeReader reader, YMapping map, string field, Service service, IReadOnlyList<string> edges)
    {
        var mtlsNode = NodeReader.Get(map, "mtls");
        var mtls = reader.Flag(mtlsNode, field + ".mtls") ?? false;
        var publicNode = NodeReader.Get(map, "public");
        var isPublic = reader.Flag(publicNode, field + ".public") ?? false;
        var edgeNode = NodeReader.Get(map, "edge");
        var edgeText = reader.Text(edgeNode, field + ".edge");

        if (mtls && service.Proxy is null)
        {
            reader.Error(mtlsNode!, field + ".mtls", "mtls is enforced by the proxy; set proxy: nginx or caddy (with an upstream), or remove mtls");
        }

        if (isPublic && service.Proxy is null)
        {
            reader.Error(publicNode!, field + ".public", "a public service is forwarded by the edge to this service's proxy; set proxy: nginx or caddy (with an upstream), or remove public");
        }

        string? edge = null;
        if (edgeText is not null && !isPublic)
        {
            reader.Error(edgeNode!, field + ".edge", "edge names the machine that serves a public service; add public: true or remove edge");
        }
        else if (edgeText is not null)
        {
            edge = edgeText.ToLowerInvariant();
            if (!edges.Contains(edge))
            {
                var known = edges.Count == 0 ? "no machine has roles: [edge]" : "machines with role edge: " + string.Join(", ", edges);
                reader.Error(edgeNode!, field + ".edge", $"'{edgeText}' is not a machine with role edge; {known}");
                edge = null;
            }
        }
        else if (isPublic && edges.Count == 1)
        {
            edge = edges[0];
        }
        else if (isPublic)
        {
            var advice = edges.Count == 0
                ? "no machine has roles: [edge]; give the machine that faces the outside that role"
                : $"several machines have role edge ({string.Join(", ", edges)}); name one with edge: <machine>";
            reader.Error(publicNode!, field + ".public", $"a public service needs an edge machine: {advice}");
        }

        if (service.Proxy is not null || isPublic)
        {
            CheckPaths(reader, NodeReader.Get(map, "files") as YMapping, field + ".files");
        }

        return service with { Mtls = mtls, Edge = edge };
    }

    // ServiceFilesReader has refused relative paths and '..' already; what is left are the characters a proxy
    // config would read as syntax.
    private static void CheckPaths(NodeReader reader, YMapping? files, string field)
    {
        foreach (var key in PathKeys)
        {
            var node = NodeReader.Get(files, key);
            if (node is YScalar { IsNull: false } scalar && ServiceFilesReader.CheckPath(scalar.Value).Length == 0
                && ProxyText.PathProblem(scalar.Value) is { } problem)
            {
                reader.Error(node, $"{field}.{key}", $"'{ServiceReader.Shown(scalar.Value)}' cannot be used by a proxied service: the path goes into the proxy config and {problem}; choose a path of letters, digits, '.', '-', '_' and '/'");
            }
        }
    }
}
