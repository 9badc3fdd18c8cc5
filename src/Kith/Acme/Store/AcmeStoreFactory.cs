namespace Kith.Acme.Store;

/// <summary>Opens the ACME store kept in an agent's <c>kith.db</c>; the one place the backend is chosen.</summary>
public static class AcmeStoreFactory
{
    /// <summary>
    /// Opens (creating when missing, with its schema migrations applied) the ACME store in the SQLite file
    /// at <paramref name="path"/>.
    /// </summary>
    /// <exception cref="NotImplementedException">Until the SQLite backend is merged.</exception>
    public static Task<IAcmeStore> OpenAsync(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);

        // The SQLite backend (SqliteAcmeStore) is written on another branch and wired here when merged.
        throw new NotImplementedException("the SQLite ACME store is not built into this kith yet");
    }
}
