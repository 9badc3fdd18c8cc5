using Kith.Files;
using Kith.Reconcile;

namespace Kith.Agent;

/// <summary>What became of one attempt to bring the proxy's config up to date.</summary>
internal enum ProxyApplyResult
{
    /// <summary>Same content, no renewed certificate: nothing run.</summary>
    Unchanged,

    /// <summary>Written (or unchanged with renewed certificates), validated, and the proxy reloaded.</summary>
    Reloaded,

    /// <summary>The validate command refused the new config: the previous file is back, the proxy was not reloaded.</summary>
    Rejected,

    /// <summary>The config is in place but the reload command failed; it is run again next time.</summary>
    ReloadFailed,

    /// <summary>The config file could not be read or written; nothing changed.</summary>
    WriteFailed,
}

/// <summary>One attempt's result, with the error in one line when there is one.</summary>
/// <param name="Again">A config refused before, not written again (only the old one's reload may have run).</param>
internal sealed record ProxyApply(ProxyApplyResult Result, string? Error = null, bool Again = false);

/// <summary>
/// The proxy's config file and the two commands around it (docs/agent.md, "Proxy"): writes a new config atomically
/// only when its content changed, runs the validate command, and on refusal puts the previous file back (a rename,
/// so the proxy never sees a half file) or removes the file if there was none, without reloading; otherwise runs
/// the reload command. Not thread-safe: one caller (the agent's proxy service) at a time.
/// </summary>
internal sealed class ProxyConfigFile(string path, IReadOnlyList<string> validate, IReadOnlyList<string> reload, TimeSpan commandTimeout)
{
    private bool reloadOwed;
    private (string Content, string Error)? refused;

    public string Path => path;

    /// <summary>Brings the file to <paramref name="content"/>; <paramref name="certificatesRenewed"/> reloads even when it is unchanged.</summary>
    public async Task<ProxyApply> ApplyAsync(string content, bool certificatesRenewed, CancellationToken cancellationToken)
    {
        string? previous;
        try
        {
            previous = File.Exists(path) ? await File.ReadAllTextAsync(path, cancellationToken) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new ProxyApply(ProxyApplyResult.WriteFailed, $"{path} could not be read: {e.Message}");
        }

        if (refused is { } last && last.Content == content)
        {
            // The same refused config is not put in front of the proxy again (not even for a moment); renewed
            // certificates still reach it through the previous config.
            if ((certificatesRenewed || reloadOwed) && reload.Count > 0)
            {
                reloadOwed = !(await ReloadCommand.RunAsync(reload, commandTimeout, cancellationToken)).Succeeded;
            }

            return new ProxyApply(ProxyApplyResult.Rejected, last.Error, Again: true);
        }

        refused = null;
        var changed = previous != content;
        if (!changed && !certificatesRenewed && !reloadOwed)
        {
            return new ProxyApply(ProxyApplyResult.Unchanged);
        }

        if (changed)
        {
            try
            {
                AtomicFile.WriteText(path, content, AtomicFile.PublicMode);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return new ProxyApply(ProxyApplyResult.WriteFailed, $"{path} could not be written: {e.Message}");
            }

            if (validate.Count > 0)
            {
                var check = await ReloadCommand.RunAsync(validate, commandTimeout, cancellationToken);
                if (!check.Succeeded)
                {
                    var restored = Restore(previous);
                    var error = $"`{string.Join(' ', validate)}` refused the new config ({OneLine(check.Error)}); {restored}";
                    refused = (content, error);
                    return new ProxyApply(ProxyApplyResult.Rejected, error);
                }
            }

            reloadOwed = true;
        }

        if (reload.Count == 0)
        {
            reloadOwed = false;
            return new ProxyApply(ProxyApplyResult.Reloaded);
        }

        var outcome = await ReloadCommand.RunAsync(reload, commandTimeout, cancellationToken);
        reloadOwed = !outcome.Succeeded;
        return outcome.Succeeded
            ? new ProxyApply(ProxyApplyResult.Reloaded)
            : new ProxyApply(ProxyApplyResult.ReloadFailed, $"`{string.Join(' ', reload)}` failed ({OneLine(outcome.Error)}); run again with the next change");
    }

    /// <summary>Puts <paramref name="previous"/> back (atomically) or removes the file when there was none; says which.</summary>
    private string Restore(string? previous)
    {
        try
        {
            if (previous is null)
            {
                File.Delete(path);
                return $"{path} removed (there was none before)";
            }

            AtomicFile.WriteText(path, previous, AtomicFile.PublicMode);
            return $"the previous {path} is back and still served";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"putting the previous {path} back failed too: {e.Message}";
        }
    }

    private static string OneLine(string? text) =>
        string.Join(' ', (text ?? "failed").Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
