using System.Security.Cryptography;
using Kith.Acme;
using Kith.Acme.Store;
using Kith.Storage;
using Microsoft.Data.Sqlite;

namespace Kith.Tests.Acme.Store;

/// <summary>
/// What the ACME store tests share: a temporary <c>kith.db</c>, records as the ACME server would build them, and
/// a raw connection to look at the rows the way an operator with <c>sqlite3</c> would.
/// </summary>
public abstract class AcmeStoreTests : IDisposable
{
    /// <summary>A whole-second UTC time, as the store keeps.</summary>
    protected static readonly DateTimeOffset T0 = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "kith-tests", Guid.NewGuid().ToString("N"));

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected string DatabasePath => Path.Combine(_folder, "state", "kith.db");

    protected Task<SqliteAcmeStore> OpenAsync() => SqliteAcmeStore.OpenAsync(DatabasePath, Ct);

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>128 random bits as 22 base64url characters, like the server's ids and tokens.</summary>
    protected static string NewId() =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(16)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    protected static AcmeAccount Account(string? thumbprint = null, string? kid = null, IReadOnlyList<string>? contact = null) => new(
        NewId(),
        thumbprint ?? NewId(),
        """{"crv":"P-256","kty":"EC","x":"x","y":"y"}""",
        AcmeAccountStatus.Valid,
        contact ?? ["mailto:ops@home.arpa"],
        kid,
        T0);

    /// <summary>A pending order with one pending authorization per name, each offering <paramref name="challengeTypes"/>.</summary>
    protected static (AcmeOrder Order, IReadOnlyList<AcmeAuthorization> Authorizations) Order(
        string accountId, IReadOnlyList<string>? names = null, IReadOnlyList<string>? challengeTypes = null, string? replaces = null)
    {
        names ??= ["music.home.arpa"];
        challengeTypes ??= ["http-01", "dns-01", "tls-alpn-01"];
        string orderId = NewId();
        var authorizations = names.Select(name =>
        {
            string authorizationId = NewId();
            bool wildcard = name.StartsWith("*.", StringComparison.Ordinal);
            var challenges = challengeTypes
                .Select(type => new AcmeChallenge(NewId(), authorizationId, type, NewId(), AcmeChallengeStatus.Pending, null, null))
                .ToList();
            return new AcmeAuthorization(
                authorizationId, accountId, orderId, new AcmeIdentifier(AcmeIdentifier.Dns, wildcard ? name[2..] : name),
                wildcard, AcmeAuthorizationStatus.Pending, T0.AddDays(7), challenges);
        }).ToList();
        var order = new AcmeOrder(
            orderId, accountId, AcmeOrderStatus.Pending, names.Select(n => new AcmeIdentifier(AcmeIdentifier.Dns, n)).ToList(),
            authorizations.Select(a => a.Id).ToList(), T0.AddDays(7), null, null, null, null, replaces, T0);
        return (order, authorizations);
    }

    /// <summary>A stored account with a stored pending order.</summary>
    protected static async Task<(AcmeOrder Order, IReadOnlyList<AcmeAuthorization> Authorizations)> CreateOrderAsync(
        IAcmeStore store, IReadOnlyList<string>? names = null, IReadOnlyList<string>? challengeTypes = null)
    {
        var (_, account) = await store.CreateAccountAsync(Account(), Ct);
        var created = Order(account!.Id, names, challengeTypes);
        await store.CreateOrderAsync(created.Order, created.Authorizations, Ct);
        return created;
    }

    /// <summary>A stored order whose every authorization was validated through its first challenge: ready.</summary>
    protected static async Task<AcmeOrder> CreateReadyOrderAsync(IAcmeStore store, IReadOnlyList<string>? names = null)
    {
        var (order, authorizations) = await CreateOrderAsync(store, names);
        foreach (var authorization in authorizations)
        {
            Assert.True(await store.TryStartChallengeAsync(authorization.Challenges[0].Id, Ct));
            Assert.True(await store.CompleteChallengeAsync(authorization.Challenges[0].Id, valid: true, null, T0, Ct));
        }

        var ready = await store.FindOrderAsync(order.Id, Ct);
        Assert.Equal(AcmeOrderStatus.Ready, ready?.Status);
        return ready!;
    }

    protected static CertificateRecord Certificate(string serial, string issuer = "storage") => new(
        issuer, serial, CertificateKind.Server, ["music.home.arpa"], null, null, T0, T0.AddDays(7), Der: [0x30, 0x03, 0x02, 0x01, 0x01]);

    /// <summary>Runs <paramref name="count"/> calls at once on pool threads and returns their results.</summary>
    protected static Task<T[]> RaceAsync<T>(int count, Func<int, Task<T>> call) =>
        Task.WhenAll(Enumerable.Range(0, count).Select(i => Task.Run(() => call(i), Ct)));

    /// <summary>A value read straight from the file, outside the store.</summary>
    protected async Task<object?> ScalarAsync(string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        await connection.OpenAsync(Ct);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync(Ct);
    }
}
