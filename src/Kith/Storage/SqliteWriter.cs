using Microsoft.Data.Sqlite;

namespace Kith.Storage;

/// <summary>A connection held for a write (<see cref="SqliteDatabase.OpenWriterAsync"/>); disposing it hands the writer turn on.</summary>
internal sealed class SqliteWriter(SqliteConnection connection, SemaphoreSlim turn) : IAsyncDisposable
{
    private int disposed;

    public SqliteConnection Connection { get; } = connection;

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 0)
        {
            try
            {
                await Connection.DisposeAsync();
            }
            finally
            {
                turn.Release();
            }
        }
    }
}
