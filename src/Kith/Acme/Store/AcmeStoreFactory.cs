namespace Kith.Acme.Store;

/// <summary>Opens the ACME store kept in an agent's <c>kith.db</c>; the one place the backend is chosen.</summary>
public static class AcmeStoreFactory
{
    /// <summary>
    /// Opens (creating when missing, with its schema migrations applied) the ACME store in the SQLite file
    /// at <paramref name="path"/>.
    /// </summary>
    public static async Task<IAcmeStore> OpenAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return await SqliteAcmeStore.OpenAsync(path, cancellationToken).ConfigureAwait(false);
    }
}
