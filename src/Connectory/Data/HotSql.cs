using System.Collections.Concurrent;
using System.Data.Common;

namespace Connectory.Data;

/// <summary>
/// Hand-written statements for the hottest paths (GET by id, list pages and their counts, create), where EF Core's
/// per-query work and SQLite's statement preparation cost more than the query itself. Statements are plain SQL both
/// providers accept (quoted identifiers, @parameters); see <see cref="SqlText"/>.
/// </summary>
internal sealed class HotSql(ConnectoryDb db, SqliteStatementPool? sqlite = null, SqliteWriteGate? writer = null)
{
    /// <summary>Runs the statements in one transaction: all apply or none does (the error is rethrown).</summary>
    public Task ExecuteAsync(IReadOnlyList<SqlText> statements, CancellationToken ct) =>
        writer is not null && db.Database.CurrentTransaction is null
            ? writer.ExecuteAsync(statements, ct)
            : db.ExecuteAsync(statements, ct);

    /// <summary>Runs one statement and hands its reader to <paramref name="consume"/>, which reads what it needs.</summary>
    public Task ReadAsync(SqlText sql, Func<DbDataReader, CancellationToken, Task> consume, CancellationToken ct) =>
        sqlite is not null && db.Database.CurrentTransaction is null
            ? sqlite.ReadAsync(sql, consume, ct)
            : db.ReadAsync(sql, consume, ct);

    public async Task<List<T>> ListAsync<T>(SqlText sql, Func<DbDataReader, T> map, CancellationToken ct)
    {
        var rows = new List<T>();
        await ReadAsync(sql, async (reader, token) =>
        {
            while (await reader.ReadAsync(token))
            {
                rows.Add(map(reader));
            }
        }, ct);
        return rows;
    }

    public async Task<T?> FirstOrDefaultAsync<T>(SqlText sql, Func<DbDataReader, T> map, CancellationToken ct)
    {
        var first = default(T);
        await ReadAsync(sql, async (reader, token) =>
        {
            if (await reader.ReadAsync(token))
            {
                first = map(reader);
            }
        }, ct);
        return first;
    }
}

/// <summary>
/// A few SQLite connections kept open with their statements prepared (<see cref="PreparedConnection"/>). Each
/// statement runs in its own implicit read transaction, ended when its reader is disposed, so reads see every
/// commit, from this instance or another, and never hold back a WAL checkpoint.
/// </summary>
internal sealed class SqliteStatementPool(string connectionString) : IDisposable
{
    /// <summary>Connections kept idle: enough for the threads that read at once on a small machine.</summary>
    const int MaxIdle = 16;

    // A stack, not a bag: connections are taken and returned on different threads, where a bag would steal under a lock.
    readonly ConcurrentStack<PreparedConnection> idle = new();
    volatile bool disposed;

    public async Task ReadAsync(SqlText sql, Func<DbDataReader, CancellationToken, Task> consume, CancellationToken ct)
    {
        var connection = idle.TryPop(out var kept) ? kept : PreparedConnection.Open(connectionString);
        try
        {
            await using var reader = await connection.Command(sql).ExecuteReaderAsync(ct);
            await consume(reader, ct);
        }
        catch
        {
            // A failed or cancelled read may leave the connection mid-statement: it is not reused.
            connection.Dispose();
            throw;
        }
        if (!disposed && idle.Count < MaxIdle)
        {
            idle.Push(connection);
        }
        else
        {
            connection.Dispose();
        }
    }

    public void Dispose()
    {
        disposed = true;
        while (idle.TryPop(out var connection))
        {
            connection.Dispose();
        }
    }
}
