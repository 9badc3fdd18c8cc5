using Kith.Fleet;
using Kith.Proxy;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Kith.Agent;

/// <summary>
/// Keeps this machine's reverse proxy config (docs/agent.md, "Proxy") in step with the held fleet state and the
/// certificates on disk: at start, after each accepted state and after a reconcile pass that issued or renewed a
/// proxied endpoint (or an edge copy), it renders the config (sites whose certificate files do not exist yet are
/// left out until they do) and hands it to <see cref="ProxyConfigFile"/>: written only when changed, validated,
/// rolled back when refused, reloaded otherwise. Every outcome is in /healthz (<c>proxy</c>) and the metrics.
/// </summary>
internal sealed partial class AgentProxy : BackgroundService
{
    /// <summary>Long enough for nginx -t or caddy validate on a busy machine, short enough that a hung one does not hold the next state.</summary>
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(60);

    private readonly SemaphoreSlim wake = new(0, 1);
    private readonly string machine;
    private readonly ProxyFormat format;
    private readonly Func<FleetState?> currentState;
    private readonly Func<FleetState, ProxyConfig> plan;
    private readonly Func<ProxyConfig, string> render;
    private readonly AgentMetrics metrics;
    private readonly ILogger logger;
    private readonly ProxyConfigFile file;
    private readonly Lock gate = new();
    private AgentProxyHealth health;
    private int renewed;
    private long? doneFor;
    private string? loggedError;

    /// <param name="plan">The machine's proxy config from a state (<c>ProxyPlan.ForMachine</c> with the agent's paths).</param>
    /// <param name="render">The proxy's text for a config (nginx or Caddy).</param>
    public AgentProxy(AgentProxyOptions options, string machine, Func<FleetState?> currentState, Func<FleetState, ProxyConfig> plan, Func<ProxyConfig, string> render, AgentMetrics metrics, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        format = options.Format ?? throw new ArgumentException("no proxy configured", nameof(options));
        this.machine = machine;
        this.currentState = currentState;
        this.plan = plan;
        this.render = render;
        this.metrics = metrics;
        this.logger = logger;
        file = new ProxyConfigFile(options.EffectiveConfigPath!, options.EffectiveValidate, options.EffectiveReload, CommandTimeout);
        health = new AgentProxyHealth(Name(format), file.Path, Ok: true, Sites: 0, Waiting: [], LastReload: null, Error: null);
    }

    /// <summary>The proxy's part of /healthz.</summary>
    public AgentProxyHealth Health()
    {
        lock (gate)
        {
            return health;
        }
    }

    /// <summary>A newer state was accepted; requests while one is pending merge.</summary>
    public void Wake()
    {
        try
        {
            wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // An update is already requested.
        }
    }

    /// <summary>A reconcile pass issued or renewed <paramref name="services"/>: reload when one of them is served by the proxy.</summary>
    public void CertificatesChanged(IReadOnlyCollection<string> services)
    {
        var endpoints = currentState()?.Machines.FirstOrDefault(m => m.Name == machine)?.Endpoints ?? [];
        if (endpoints.Any(e => services.Contains(e.Service) && (e.Backend is not null || (e.Proxy is not null && e.Upstream is not null))))
        {
            Interlocked.Exchange(ref renewed, 1);
            Wake();
        }
    }

    public override void Dispose()
    {
        wake.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        while (!stoppingToken.IsCancellationRequested)
        {
            var certificatesRenewed = Interlocked.Exchange(ref renewed, 0) == 1;
            if (currentState() is { } state && (state.Version != doneFor || certificatesRenewed))
            {
                await UpdateAsync(state, certificatesRenewed, stoppingToken);
            }

            try
            {
                await wake.WaitAsync(stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task UpdateAsync(FleetState state, bool certificatesRenewed, CancellationToken cancellationToken)
    {
        string content;
        ProxyConfig config;
        List<string> waiting;
        try
        {
            var planned = plan(state);
            waiting = [.. planned.Sites.Where(site => !File.Exists(site.Fullchain) || !File.Exists(site.Key)).Select(site => site.Service)];
            config = planned with { Sites = [.. planned.Sites.Where(site => !waiting.Contains(site.Service))] };
            content = render(config);
        }
        catch (KithException e)
        {
            Report(state.Version, 0, [], new ProxyApply(ProxyApplyResult.WriteFailed, $"the {Name(format)} config could not be rendered: {e.Message}"));
            doneFor = state.Version;
            return;
        }

        var apply = await file.ApplyAsync(content, certificatesRenewed, cancellationToken);
        Report(state.Version, config.Sites.Count, waiting, apply);

        // A failed reload is owed by the file and run with the next wake; a refused config waits for a new state or certificate.
        doneFor = state.Version;
    }

    private void Report(long version, int sites, IReadOnlyList<string> waiting, ProxyApply apply)
    {
        switch (apply.Result)
        {
            case ProxyApplyResult.Reloaded:
                metrics.CountProxyReload(succeeded: true);
                LogReloaded(logger, Name(format), file.Path, sites, version, waiting.Count == 0 ? "none" : string.Join(' ', waiting));
                break;
            case ProxyApplyResult.ReloadFailed:
                metrics.CountProxyReload(succeeded: false);
                break;
            case ProxyApplyResult.Rejected when !apply.Again:
                metrics.CountProxyRejected();
                break;
            case ProxyApplyResult.Unchanged:
                LogUnchanged(logger, file.Path, version);
                break;
        }

        if (apply.Error is { } error && error != loggedError)
        {
            LogFailed(logger, Name(format), version, error);
        }

        loggedError = apply.Error;
        lock (gate)
        {
            health = apply.Result switch
            {
                ProxyApplyResult.Unchanged => health with { Waiting = waiting },
                ProxyApplyResult.Reloaded => health with { Ok = true, Sites = sites, Waiting = waiting, LastReload = DateTimeOffset.UtcNow, Error = null },
                _ => health with { Ok = false, Waiting = waiting, Error = apply.Error },
            };
        }
    }

    private static string Name(ProxyFormat format) => format == ProxyFormat.Nginx ? "nginx" : "caddy";

    [LoggerMessage(Level = LogLevel.Information, Message = "{Proxy} config {Path} in place and reloaded for state version {Version}: {Sites} sites; waiting for certificates: {Waiting}")]
    private static partial void LogReloaded(ILogger logger, string proxy, string path, int sites, long version, string waiting);

    [LoggerMessage(Level = LogLevel.Information, Message = "proxy config {Path} unchanged for state version {Version}")]
    private static partial void LogUnchanged(ILogger logger, string path, long version);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Proxy} config for state version {Version} not in use: {Error}")]
    private static partial void LogFailed(ILogger logger, string proxy, long version, string error);
}

/// <summary>
/// The reverse proxy's part of GET /healthz: <see cref="Ok"/> false while the last attempt failed (its
/// <see cref="Error"/> says why; the proxy keeps serving the previous config).
/// </summary>
/// <param name="Proxy">nginx or caddy.</param>
/// <param name="Config">The config file the agent writes.</param>
/// <param name="Sites">Sites in the config last put in place.</param>
/// <param name="Waiting">Services left out because their certificate files do not exist yet.</param>
/// <param name="LastReload">When the proxy was last reloaded by the agent.</param>
public sealed record AgentProxyHealth(string Proxy, string Config, bool Ok, int Sites, IReadOnlyList<string> Waiting, DateTimeOffset? LastReload, string? Error);
