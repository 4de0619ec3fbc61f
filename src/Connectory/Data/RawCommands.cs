using System.Data;
using System.Data.Common;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Connectory.Data;

/// <summary>
/// A statement under construction: SQL text that both providers accept (quoted identifiers, @parameters) and
/// the values of its parameters. Values are always parameters, never spliced into the text.
/// </summary>
internal sealed class SqlText
{
    readonly StringBuilder text;
    readonly List<object?> values;

    public SqlText(string start = "")
    {
        text = new StringBuilder(start);
        values = [];
    }

    SqlText(SqlText from)
    {
        text = new StringBuilder(from.text.ToString());
        values = [.. from.values];
    }

    public string Text => text.ToString();

    /// <summary>A copy to extend: statements built on a shared condition each get their own.</summary>
    public SqlText Clone() => new(this);

    public SqlText Prepend(string sql)
    {
        text.Insert(0, sql);
        return this;
    }

    public SqlText Append(string sql)
    {
        text.Append(sql);
        return this;
    }

    /// <summary>Adds a parameter and returns its placeholder.</summary>
    public string Param(object? value)
    {
        values.Add(value);
        return "@p" + (values.Count - 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Placeholders for a list of values, comma separated (for IN).</summary>
    public string Params(IEnumerable<object?> list) => string.Join(", ", list.Select(Param));

    public void Bind(DbCommand command) => Bind(command.Parameters, command.CreateParameter);

    public void Bind(DbParameterCollection parameters, Func<DbParameter> create)
    {
        for (var i = 0; i < values.Count; i++)
        {
            var parameter = create();
            parameter.ParameterName = "p" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            parameter.Value = values[i] ?? DBNull.Value;
            parameters.Add(parameter);
        }
    }
}

internal static class RawCommands
{
    /// <summary>
    /// Runs <paramref name="sql"/> on the context's own connection and transaction and hands the reader to
    /// <paramref name="consume"/>.
    /// </summary>
    public static Task ReadAsync(this ConnectoryDb db, SqlText sql, Func<DbDataReader, CancellationToken, Task> consume, CancellationToken ct) =>
        db.OnOpenConnectionAsync(async connection =>
        {
            await using var command = connection.CreateCommand();
            command.CommandText = sql.Text;
            command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
            sql.Bind(command);
            await using var reader = await command.ExecuteReaderAsync(ct);
            await consume(reader, ct);
        }, ct);

    /// <summary>
    /// Runs the statements in one transaction on the context's connection (or in its current transaction). Where the
    /// provider batches (PostgreSQL), they go as one batch: one round trip, run by the server in one implicit
    /// transaction, so all apply or none does.
    /// </summary>
    public static async Task ExecuteAsync(this ConnectoryDb db, IReadOnlyList<SqlText> statements, CancellationToken ct)
    {
        if (db.Database.CurrentTransaction is null && db.Database.GetDbConnection().CanCreateBatch)
        {
            await db.OnOpenConnectionAsync(async connection =>
            {
                await using var batch = connection.CreateBatch();
                foreach (var statement in statements)
                {
                    var command = batch.CreateBatchCommand();
                    command.CommandText = statement.Text;
                    statement.Bind(command.Parameters, command.CreateParameter);
                    batch.BatchCommands.Add(command);
                }
                await batch.ExecuteNonQueryAsync(ct);
            }, ct);
            return;
        }
        var own = db.Database.CurrentTransaction is null;
        await using var transaction = own ? await db.Database.BeginTransactionAsync(ct) : null;
        foreach (var statement in statements)
        {
            await using var command = db.Database.GetDbConnection().CreateCommand();
            command.CommandText = statement.Text;
            command.Transaction = db.Database.CurrentTransaction!.GetDbTransaction();
            statement.Bind(command);
            await command.ExecuteNonQueryAsync(ct);
        }
        if (transaction is not null)
        {
            await transaction.CommitAsync(ct);
        }
    }

    /// <summary>Runs <paramref name="work"/> on the context's connection, opened through EF (so its interceptors run) when it is closed.</summary>
    static async Task OnOpenConnectionAsync(this ConnectoryDb db, Func<DbConnection, Task> work, CancellationToken ct)
    {
        var opened = db.Database.GetDbConnection().State != ConnectionState.Open;
        if (opened)
        {
            await db.Database.OpenConnectionAsync(ct);
        }
        try
        {
            await work(db.Database.GetDbConnection());
        }
        finally
        {
            if (opened)
            {
                await db.Database.CloseConnectionAsync();
            }
        }
    }

    /// <summary>
    /// A stored UTC instant. Npgsql reads timestamptz as UTC; SQLite keeps EF Core's text form
    /// (<c>yyyy-MM-dd HH:mm:ss[.fffffff]</c>), read here without the general date parser, which costs a list page
    /// more than its query.
    /// </summary>
    public static DateTime GetUtc(this DbDataReader reader, int ordinal)
    {
        if (reader is Microsoft.Data.Sqlite.SqliteDataReader && TryParseStored(reader.GetString(ordinal), out var parsed))
        {
            return parsed;
        }
        return DateTime.SpecifyKind(reader.GetDateTime(ordinal), DateTimeKind.Utc);
    }

    static bool TryParseStored(string text, out DateTime value)
    {
        value = default;
        if (text.Length < 19 || text[4] != '-' || text[7] != '-' || text[10] != ' ' || text[13] != ':' || text[16] != ':'
            || (text.Length > 19 && (text[19] != '.' || text.Length > 27)))
        {
            return false;
        }
        static int Digits(string s, int at, int count)
        {
            var n = 0;
            for (var i = at; i < at + count; i++)
            {
                var d = s[i] - '0';
                if ((uint)d > 9)
                {
                    return -1;
                }
                n = n * 10 + d;
            }
            return n;
        }
        int year = Digits(text, 0, 4), month = Digits(text, 5, 2), day = Digits(text, 8, 2);
        int hour = Digits(text, 11, 2), minute = Digits(text, 14, 2), second = Digits(text, 17, 2);
        var fraction = 0;
        if (text.Length > 20)
        {
            fraction = Digits(text, 20, text.Length - 20);
            for (var i = text.Length - 20; i < 7; i++)
            {
                fraction *= 10;
            }
        }
        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour is < 0 or > 23
            || minute is < 0 or > 59 || second is < 0 or > 59 || fraction < 0)
        {
            return false;
        }
        value = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Utc).AddTicks(fraction);
        return true;
    }

    public static string? GetNullableString(this DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
}
