using Kith.Dns.Resolver;
using YamlDotNet.RepresentationModel;

namespace Kith.Agent;

/// <summary>
/// The resolver snippet the agent keeps (agent.yaml <c>resolver</c>, <c>resolver_path</c>, <c>resolver_reload</c>,
/// <c>resolver_port</c>; docs/agent.md): which resolver, where its file goes, what to run after it changed.
/// </summary>
/// <param name="Format">The resolver, or null for none (the default: the agent writes no snippet).</param>
/// <param name="Path">The snippet's path, or null for the resolver's default (<see cref="ResolverFormats.DefaultPath"/>).</param>
/// <param name="Reload">The argv run (no shell) after the file changed; empty for none.</param>
/// <param name="Port">The port the fleet's dns machines answer on.</param>
public sealed record AgentResolverOptions(ResolverFormat? Format, string? Path, IReadOnlyList<string> Reload, int Port)
{
    public static AgentResolverOptions None { get; } = new(null, null, [], ResolverTargets.DefaultPort);

    /// <summary>The snippet's path in effect; null when no resolver is configured.</summary>
    public string? EffectivePath => Format is { } format ? Path ?? ResolverFormats.DefaultPath(format) : null;

    /// <summary>Applies one of the resolver keys of <paramref name="configPath"/> to these options.</summary>
    /// <exception cref="KithException">The value is not valid for the key.</exception>
    internal AgentResolverOptions With(string configPath, string key, YamlNode value) => key switch
    {
        "resolver" => Scalar(configPath, key, value) is "none"
            ? this with { Format = null }
            : this with
            {
                Format = ResolverFormats.Parse(Scalar(configPath, key, value))
                    ?? throw new KithException($"{configPath}: resolver must be one of {ResolverFormats.Names} or none, not '{Scalar(configPath, key, value)}'"),
            },
        "resolver_path" => this with
        {
            Path = Scalar(configPath, key, value) is var path && System.IO.Path.IsPathFullyQualified(path)
                ? path
                : throw new KithException($"{configPath}: resolver_path must be an absolute path, not '{Scalar(configPath, key, value)}'"),
        },
        "resolver_reload" => this with
        {
            Reload = value is YamlSequenceNode argv && argv.Children.All(a => a is YamlScalarNode { Value: { Length: > 0 } })
                ? [.. argv.Children.Select(a => ((YamlScalarNode)a).Value!)]
                : throw new KithException($"{configPath}: resolver_reload must be a list of arguments run without a shell, e.g. [systemctl, reload, unbound]"),
        },
        "resolver_port" => this with
        {
            Port = int.TryParse(Scalar(configPath, key, value), out var port) && port is > 0 and <= 65535
                ? port
                : throw new KithException($"{configPath}: resolver_port must be a port number between 1 and 65535"),
        },
        _ => throw new ArgumentOutOfRangeException(nameof(key), key, "not a resolver key"),
    };

    /// <summary>The keys that only mean something with a resolver must not be given without one.</summary>
    /// <exception cref="KithException">resolver_path, resolver_reload or resolver_port is set while resolver is none.</exception>
    internal AgentResolverOptions Check(string configPath)
    {
        if (Format is null && (Path is not null || Reload.Count > 0 || Port != ResolverTargets.DefaultPort))
        {
            throw new KithException($"{configPath}: resolver_path, resolver_reload and resolver_port need resolver: {ResolverFormats.Names.Replace(", ", " | ", StringComparison.Ordinal)}");
        }

        return this;
    }

    private static string Scalar(string configPath, string key, YamlNode node) =>
        node is YamlScalarNode { Value: { } value } ? value : throw new KithException($"{configPath}: '{key}' must be a single value");
}
