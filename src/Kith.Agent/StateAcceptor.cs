using Kith.Fleet;
using Microsoft.Extensions.Logging;

namespace Kith.Agent;

/// <summary>
/// The one way a signed fleet state gets in, whether PUT by the operator or pulled from a peer: verified and
/// stored under the agent's state lock, counted, logged, and, when accepted, the reconcile loop woken.
/// Callers do their network I/O before calling, so the lock is held only for the verification and the write.
/// </summary>
internal sealed partial class StateAcceptor(FleetStateFile stateFile, Lock gate, AgentMetrics metrics, ILogger logger, Action onAccepted)
{
    /// <summary>The version held now, or null before the first state.</summary>
    public long? Version
    {
        get
        {
            lock (gate)
            {
                return stateFile.Current?.Version;
            }
        }
    }

    /// <summary>The state held now, or null before the first state.</summary>
    public FleetState? Current
    {
        get
        {
            lock (gate)
            {
                return stateFile.Current;
            }
        }
    }

    /// <summary>
    /// The envelope held, as it was received, when its version is above <paramref name="after"/> (null: any);
    /// null when it is not. <paramref name="holdsAny"/> says whether a state is held at all.
    /// </summary>
    public byte[]? ReadHeld(long? after, out bool holdsAny)
    {
        lock (gate)
        {
            holdsAny = stateFile.Current is not null && File.Exists(stateFile.Path);
            return holdsAny && stateFile.Current!.Version > after.GetValueOrDefault(long.MinValue) ? File.ReadAllBytes(stateFile.Path) : null;
        }
    }

    /// <summary>A body over <see cref="SignedFleetState.MaxBytes"/> was not read: counted and logged like any refusal.</summary>
    /// <param name="length">The declared length, when the sender gave one.</param>
    public void RefuseTooLarge(string source, long? length)
    {
        metrics.CountTooLarge();
        var detail = length is { } declared
            ? $"{declared.ToString(System.Globalization.CultureInfo.InvariantCulture)} bytes, the limit is {SignedFleetState.MaxBytes}"
            : $"more than the {SignedFleetState.MaxBytes} bytes allowed";
        LogRefused(logger, "too_large", detail, source);
    }

    /// <param name="source">Who sent it, for the log: a remote address or "peer beta".</param>
    public FleetStateVerdict Accept(byte[] envelope, string source)
    {
        FleetStateVerdict verdict;
        lock (gate)
        {
            verdict = stateFile.TryAccept(envelope);
        }

        switch (verdict)
        {
            case FleetStateVerdict.Accepted accepted:
                metrics.CountAccepted();
                onAccepted();
                LogAccepted(logger, accepted.State.Version, source);
                break;
            case FleetStateVerdict.Refused refused:
                metrics.CountRefused(refused.Reason);
                LogRefused(logger, AgentMetrics.ReasonLabel(refused.Reason), refused.Detail, source);
                break;
        }

        return verdict;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "fleet state version {Version} accepted from {Source}")]
    private static partial void LogAccepted(ILogger logger, long version, string source);

    [LoggerMessage(Level = LogLevel.Warning, Message = "fleet state refused ({Reason}) from {Source}: {Detail}")]
    private static partial void LogRefused(ILogger logger, string reason, string detail, string source);
}
