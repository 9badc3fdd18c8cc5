namespace Kith.Acme.Store;

/// <summary>
/// The orders, authorizations (with their challenges) and issued certificates' DER that <see cref="SqliteAcmeStore"/>
/// wrote or read lately, so a client reading back what it just made does not reach SQLite. Write-through: the
/// store changes an entry after each committed write, while it still holds the writer turn, so entries change in
/// commit order. Bounded: a map that reaches <see cref="Capacity"/> entries starts over empty.
/// </summary>
/// <remarks>
/// A read that missed fills the cache only when no write happened since it began (<see cref="Generation"/>): a
/// reader that saw the row before a write must not put the old row back after the writer updated the entry.
/// </remarks>
internal sealed class AcmeObjectCache
{
    /// <summary>Entries per map; in-flight orders are a handful, a few thousand still covers slow clients.</summary>
    public const int Capacity = 2048;

    private readonly Lock gate = new();
    private readonly Dictionary<string, AcmeOrder> orders = new(StringComparer.Ordinal);
    private readonly Dictionary<string, AcmeAuthorization> authorizations = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> challengeAuthorizations = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Issuer, string Serial), byte[]> certificates = [];
    private long generation;

    /// <summary>Counts writes; a reader notes it before reading SQLite and passes it to a Fill method.</summary>
    public long Generation
    {
        get
        {
            lock (gate)
            {
                return generation;
            }
        }
    }

    public AcmeOrder? FindOrder(string id)
    {
        lock (gate)
        {
            return orders.GetValueOrDefault(id);
        }
    }

    public AcmeAuthorization? FindAuthorization(string id)
    {
        lock (gate)
        {
            return authorizations.GetValueOrDefault(id);
        }
    }

    /// <summary>The authorization a cached challenge belongs to (with all its challenges), or null.</summary>
    public AcmeAuthorization? FindChallengeAuthorization(string challengeId)
    {
        lock (gate)
        {
            return challengeAuthorizations.TryGetValue(challengeId, out var authorizationId) ? authorizations.GetValueOrDefault(authorizationId) : null;
        }
    }

    public byte[]? FindCertificate(string issuer, string serialHex)
    {
        lock (gate)
        {
            return certificates.GetValueOrDefault((issuer, serialHex));
        }
    }

    /// <summary>Keeps what a read found, unless a write happened since <paramref name="seen"/>.</summary>
    public void Fill(long seen, AcmeOrder order)
    {
        lock (gate)
        {
            if (seen == generation)
            {
                SetOrder(order);
            }
        }
    }

    /// <inheritdoc cref="Fill(long, AcmeOrder)"/>
    public void Fill(long seen, AcmeAuthorization authorization)
    {
        lock (gate)
        {
            if (seen == generation)
            {
                SetAuthorization(authorization);
            }
        }
    }

    /// <inheritdoc cref="Fill(long, AcmeOrder)"/>
    public void Fill(long seen, string issuer, string serialHex, byte[] der)
    {
        lock (gate)
        {
            if (seen == generation)
            {
                SetCertificate(issuer, serialHex, der);
            }
        }
    }

    /// <summary>After a committed write: the order and its authorizations as they now are in the store.</summary>
    public void Put(AcmeOrder order, IEnumerable<AcmeAuthorization> orderAuthorizations)
    {
        lock (gate)
        {
            generation++;
            SetOrder(order);
            foreach (var authorization in orderAuthorizations)
            {
                SetAuthorization(authorization);
            }
        }
    }

    /// <summary>After a committed write: a certificate now in the issuance log.</summary>
    public void PutCertificate(string issuer, string serialHex, byte[] der)
    {
        lock (gate)
        {
            generation++;
            SetCertificate(issuer, serialHex, der);
        }
    }

    /// <summary>After a committed write that changed an order: applies the change to the cached entry, if there is one.</summary>
    public void ChangeOrder(string id, Func<AcmeOrder, AcmeOrder> change)
    {
        lock (gate)
        {
            generation++;
            if (orders.TryGetValue(id, out var order))
            {
                orders[id] = change(order);
            }
        }
    }

    /// <summary>After a committed write that changed an authorization or its challenges: applies it to the cached entry, if there is one.</summary>
    public void ChangeAuthorization(string id, Func<AcmeAuthorization, AcmeAuthorization> change)
    {
        lock (gate)
        {
            generation++;
            if (authorizations.TryGetValue(id, out var authorization))
            {
                authorizations[id] = change(authorization);
            }
        }
    }

    /// <summary>After a write whose effect on the entries is not worked out here (pruning, restart recovery, a failure): forgets everything.</summary>
    public void Clear()
    {
        lock (gate)
        {
            generation++;
            orders.Clear();
            authorizations.Clear();
            challengeAuthorizations.Clear();
            certificates.Clear();
        }
    }

    private void SetOrder(AcmeOrder order)
    {
        if (orders.Count >= Capacity && !orders.ContainsKey(order.Id))
        {
            orders.Clear();
        }

        orders[order.Id] = order;
    }

    private void SetAuthorization(AcmeAuthorization authorization)
    {
        if (authorizations.Count >= Capacity && !authorizations.ContainsKey(authorization.Id))
        {
            authorizations.Clear();
            challengeAuthorizations.Clear();
        }

        authorizations[authorization.Id] = authorization;
        foreach (var challenge in authorization.Challenges)
        {
            challengeAuthorizations[challenge.Id] = authorization.Id;
        }
    }

    private void SetCertificate(string issuer, string serialHex, byte[] der)
    {
        if (certificates.Count >= Capacity)
        {
            certificates.Clear();
        }

        certificates[(issuer, serialHex)] = der;
    }
}
