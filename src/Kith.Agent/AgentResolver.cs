using Kith.Dns.Resolver;
using Kith.Files;
using Kith.Fleet;
using Kith.Reconcile;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Kith.Agent;

/// <summary>
/// Keeps this machine's resolver snippet (docs/dns.md, "Resolver snippets") in step with the held fleet state: at
/// start and after each accepted state it renders the snippet, and only when the file's content differs writes it
/// (atomically) and runs <c>resolver_reload</c>. A failed write or reload is logged in one line and tried again with
/// the next state; the agent keeps going either way.
/// </summary>
internal sealed partial class AgentResolver(AgentResolverOptions options, Func<FleetState?> currentState, ILogger logger) : BackgroundService
{
    /// <summary>Long enough for a resolver's reload, short enough that a hung one does not hold the next state.</summary>
    private static readonly TimeSpan ReloadTimeout = TimeSpan.FromSeconds(30);

    private readonly SemaphoreSlim wake = new(0, 1);
    private readonly ResolverFormat format = options.Format ?? throw new ArgumentException("no resolver configured", nameof(options));
    private readonly string path = options.EffectivePath!;
    private long? doneFor;
    private long? warnedFor;
    private bool reloadOwed;

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
            if (currentState() is { } state && state.Version != doneFor)
            {
                await UpdateAsync(state, stoppingToken);
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

    private async Task UpdateAsync(FleetState state, CancellationToken cancellationToken)
    {
        if (ResolverTargets.FromState(state, options.Port) is not { } targets)
        {
            // The file stays as it is: the former dns machines may still answer, an empty snippet would not help.
            if (warnedFor != state.Version)
            {
                warnedFor = state.Version;
                LogNoDnsMachine(logger, state.Version, path, ResolverTargets.NoDnsMachine("fleet state"));
            }

            doneFor = state.Version;
            return;
        }

        var content = ResolverFormats.Render(format, targets);
        if (!SameContent(content))
        {
            try
            {
                AtomicFile.WriteText(path, content, AtomicFile.PublicMode);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                LogWriteFailed(logger, path, state.Version, e.Message);
                return;
            }

            reloadOwed = options.Reload.Count > 0;
            LogWritten(logger, path, ResolverFormats.Name(format), string.Join(" ", targets.Zones), string.Join(" ", targets.Servers), state.Version);
        }
        else
        {
            LogUnchanged(logger, path, state.Version);
        }

        doneFor = state.Version;
        if (reloadOwed)
        {
            var outcome = await ReloadCommand.RunAsync(options.Reload, ReloadTimeout, cancellationToken);
            reloadOwed = !outcome.Succeeded;
            if (!outcome.Succeeded)
            {
                LogReloadFailed(logger, string.Join(" ", options.Reload), path, outcome.Error ?? "failed");
            }
        }
    }

    private bool SameContent(string content)
    {
        try
        {
            return File.Exists(path) && File.ReadAllText(path) == content;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "resolver snippet {Path} ({Format}) written for state version {Version}: zones {Zones} to {Servers}")]
    private static partial void LogWritten(ILogger logger, string path, string format, string zones, string servers, long version);

    [LoggerMessage(Level = LogLevel.Information, Message = "resolver snippet {Path} unchanged for state version {Version}")]
    private static partial void LogUnchanged(ILogger logger, string path, long version);

    [LoggerMessage(Level = LogLevel.Warning, Message = "resolver snippet {Path} not written for state version {Version}: {Problem}")]
    private static partial void LogNoDnsMachine(ILogger logger, long version, string path, string problem);

    [LoggerMessage(Level = LogLevel.Warning, Message = "resolver snippet {Path} could not be written for state version {Version} ({Error}); tried again with the next state")]
    private static partial void LogWriteFailed(ILogger logger, string path, long version, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "resolver_reload `{Reload}` after writing {Path} failed: {Error}; run again with the next state")]
    private static partial void LogReloadFailed(ILogger logger, string reload, string path, string error);
}
