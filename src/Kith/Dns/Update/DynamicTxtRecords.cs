namespace Kith.Dns.Update;

/// <summary>
/// The TXT records added by RFC 2136 updates (ACME dns-01 challenges), held in memory only: an agent
/// restart forgets them, which is fine for a challenge that lives a minute. Safe for concurrent use.
/// A record's answer TTL is capped at <see cref="MaxTtlSeconds"/>; the record itself is removed
/// <see cref="Lifetime"/> after it was last added, in case the client never deletes it.
/// <see cref="Changed"/> fires after every change (add, delete, expiry), outside the lock.
/// </summary>
public sealed class DynamicTxtRecords : IDisposable
{
    /// <summary>
    /// Answers carry at most this TTL so resolvers do not keep a challenge long after it was removed
    /// (lego and certbot ask for 120 s by default).
    /// </summary>
    public const int MaxTtlSeconds = 300;

    /// <summary>More than any client needs for many orders at once; a bound on what a key holder can store.</summary>
    public const int MaxRecords = 1000;

    /// <summary>How long an added record lives when its client never deletes it.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(1);

    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private readonly ITimer _expiryTimer;
    private readonly Dictionary<(string Name, string Text), Entry> _entries = [];

    public DynamicTxtRecords(TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        _expiryTimer = _time.CreateTimer(_ => RemoveExpired(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Raised after the set of records changed.</summary>
    public event Action? Changed;

    /// <summary>How many records are held.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>Every record held, type "TXT", sorted by name then text.</summary>
    public IReadOnlyList<ZoneRecord> Snapshot()
    {
        lock (_lock)
        {
            return [.. _entries.Values
                .Where(e => e.Expires > _time.GetUtcNow())
                .OrderBy(e => e.Name, StringComparer.Ordinal)
                .ThenBy(e => e.Text, StringComparer.Ordinal)
                .Select(e => new ZoneRecord(e.Name, "TXT", e.Ttl, e.Text))];
        }
    }

    /// <summary>The texts held at <paramref name="name"/>.</summary>
    public IReadOnlyList<string> TextsAt(string name)
    {
        var key = DnsNames.Normalize(name);
        lock (_lock)
        {
            return [.. _entries.Values.Where(e => e.Name == key).Select(e => e.Text).Order(StringComparer.Ordinal)];
        }
    }

    /// <summary>Adds a record, or refreshes its TTL and lifetime when it is already held.</summary>
    /// <returns>False when <see cref="MaxRecords"/> are already held.</returns>
    public bool Add(string name, string text, int ttl)
    {
        var key = (DnsNames.Normalize(name), text);
        lock (_lock)
        {
            if (!_entries.ContainsKey(key) && _entries.Count >= MaxRecords)
            {
                return false;
            }

            _entries[key] = new Entry(key.Item1, text, Math.Clamp(ttl, 0, MaxTtlSeconds), _time.GetUtcNow() + Lifetime);
            ScheduleExpiry();
        }

        Changed?.Invoke();
        return true;
    }

    /// <summary>Removes one record; true when it was held.</summary>
    public bool Remove(string name, string text)
    {
        bool removed;
        lock (_lock)
        {
            removed = _entries.Remove((DnsNames.Normalize(name), text));
        }

        if (removed)
        {
            Changed?.Invoke();
        }

        return removed;
    }

    /// <summary>Removes every record at <paramref name="name"/>; true when there was one.</summary>
    public bool RemoveAll(string name)
    {
        var key = DnsNames.Normalize(name);
        int removed;
        lock (_lock)
        {
            removed = 0;
            foreach (var entry in _entries.Keys.Where(k => k.Name == key).ToList())
            {
                removed += _entries.Remove(entry) ? 1 : 0;
            }
        }

        if (removed > 0)
        {
            Changed?.Invoke();
        }

        return removed > 0;
    }

    public void Dispose() => _expiryTimer.Dispose();

    private void RemoveExpired()
    {
        int removed;
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            var expired = _entries.Where(e => e.Value.Expires <= now).Select(e => e.Key).ToList();
            expired.ForEach(k => _entries.Remove(k));
            removed = expired.Count;
            ScheduleExpiry();
        }

        if (removed > 0)
        {
            Changed?.Invoke();
        }
    }

    /// <summary>Arms the timer for the earliest expiry (called under the lock).</summary>
    private void ScheduleExpiry()
    {
        if (_entries.Count == 0)
        {
            _expiryTimer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            return;
        }

        var due = _entries.Values.Min(e => e.Expires) - _time.GetUtcNow();
        _expiryTimer.Change(due > TimeSpan.Zero ? due : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
    }

    private sealed record Entry(string Name, string Text, int Ttl, DateTimeOffset Expires);
}
