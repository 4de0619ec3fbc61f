using System.Collections.Concurrent;
using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Connectory.Data;

/// <summary>
/// Hand-written reads for the hottest paths (GET by id, list pages), where EF Core's per-query work and SQLite's
/// statement preparation cost more than the query itself. Statements are plain SQL that both providers accept.
/// </summary>
internal sealed class HotReads(ConnectoryDb db, SqliteStatementPool? sqlite = null)
{
    public Task<T> ReadAsync<T>(string sql, Action<DbCommand> bind, Func<DbDataReader, CancellationToken, Task<T>> read, CancellationToken ct) =>
        sqlite is not null && db.Database.CurrentTransaction is null
            ? sqlite.ReadAsync(sql, bind, read, ct)
            : db.ReadAsync(sql, bind, read, ct);
}

/// <summary>
/// A few SQLite connections kept open, each keeping the statements it has prepared. Preparing a statement costs
/// SQLite more than running it; a pooled connection that is closed drops its statements, so these stay open. Each
/// statement runs in its own implicit read transaction (ended when its reader is disposed), so reads see every
/// commit, from this instance or another, and never hold back a WAL checkpoint.
/// </summary>
internal sealed class SqliteStatementPool(string connectionString) : IDisposable
{
    /// <summary>Connections kept idle: enough for the threads that read at once on a small machine.</summary>
    const int MaxIdle = 16;

    /// <summary>Distinct statements kept per connection; the hot paths use a handful.</summary>
    const int MaxStatements = 64;

    readonly ConcurrentBag<Session> idle = [];
    volatile bool disposed;

    public async Task<T> ReadAsync<T>(string sql, Action<DbCommand> bind, Func<DbDataReader, CancellationToken, Task<T>> read, CancellationToken ct)
    {
        var session = idle.TryTake(out var kept) ? kept : Session.Open(connectionString);
        var healthy = false;
        try
        {
            var command = session.Command(sql);
            command.Parameters.Clear();
            bind(command);
            T result;
            await using (var reader = await command.ExecuteReaderAsync(ct))
            {
                result = await read(reader, ct);
            }
            healthy = true;
            return result;
        }
        finally
        {
            // A failed or cancelled read may leave the connection mid-statement: it is not reused.
            if (healthy && !disposed && idle.Count < MaxIdle)
            {
                idle.Add(session);
            }
            else
            {
                session.Dispose();
            }
        }
    }

    public void Dispose()
    {
        disposed = true;
        while (idle.TryTake(out var session))
        {
            session.Dispose();
        }
    }

    sealed class Session : IDisposable
    {
        readonly SqliteConnection connection;
        readonly Dictionary<string, SqliteCommand> commands = new(StringComparer.Ordinal);

        Session(SqliteConnection connection) => this.connection = connection;

        public static Session Open(string connectionString)
        {
            var connection = new SqliteConnection(connectionString);
            connection.Open();
            SqliteDurability.Prepare(connection);
            return new Session(connection);
        }

        public SqliteCommand Command(string sql)
        {
            if (!commands.TryGetValue(sql, out var command))
            {
                if (commands.Count >= MaxStatements)
                {
                    foreach (var old in commands.Values)
                    {
                        old.Dispose();
                    }
                    commands.Clear();
                }
                command = connection.CreateCommand();
                command.CommandText = sql;
                commands.Add(sql, command);
            }
            return command;
        }

        public void Dispose()
        {
            foreach (var command in commands.Values)
            {
                command.Dispose();
            }
            connection.Dispose();
        }
    }
}
