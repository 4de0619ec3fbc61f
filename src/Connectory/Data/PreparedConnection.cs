using Microsoft.Data.Sqlite;

namespace Connectory.Data;

/// <summary>
/// An open SQLite connection that keeps the statements it has prepared, by text. A pooled connection that is closed
/// drops its statements, and preparing one costs SQLite more than running it; the hot paths use a handful of shapes.
/// Not thread-safe: one user at a time (see <see cref="SqliteStatementPool"/> and <see cref="SqliteWriteGate"/>).
/// </summary>
internal sealed class PreparedConnection : IDisposable
{
    /// <summary>Distinct statements kept; past that the cache starts afresh.</summary>
    const int MaxStatements = 64;

    readonly Dictionary<string, SqliteCommand> commands = new(StringComparer.Ordinal);

    PreparedConnection(SqliteConnection connection) => Connection = connection;

    public SqliteConnection Connection { get; }

    public bool IsOpen => Connection.State == System.Data.ConnectionState.Open;

    /// <summary>Opens a connection with the service's pragmas.</summary>
    public static PreparedConnection Open(string connectionString)
    {
        var connection = new SqliteConnection(connectionString);
        connection.Open();
        SqliteDurability.Prepare(connection);
        return new PreparedConnection(connection);
    }

    /// <summary>The command for <paramref name="sql"/>'s text, prepared once, bound to its values and transaction.</summary>
    public SqliteCommand Command(SqlText sql, SqliteTransaction? transaction = null)
    {
        var text = sql.Text;
        if (!commands.TryGetValue(text, out var command))
        {
            if (commands.Count >= MaxStatements)
            {
                DropCommands();
            }
            command = Connection.CreateCommand();
            command.CommandText = text;
            commands.Add(text, command);
        }
        command.Transaction = transaction;
        command.Parameters.Clear();
        sql.Bind(command);
        return command;
    }

    void DropCommands()
    {
        foreach (var command in commands.Values)
        {
            command.Dispose();
        }
        commands.Clear();
    }

    public void Dispose()
    {
        DropCommands();
        Connection.Dispose();
    }
}
