using System.Collections.Concurrent;
using System.Data.Common;
using System.Text.Json;
using Connectory.Data;
using Connectory.DataConnections;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Connectory.Bench;

/// <summary>
/// The rungs below the product on the benchmark ladder: the same Kestrel and database the service uses, without
/// the service's work (authentication, access rules, validation, encryption, EF Core). Figures are read as the
/// product's rate over these.
/// </summary>
internal sealed class Baselines(IOptions<DatabaseOptions> options, IConfiguration configuration, DataDirectory dataDirectory)
{
    static readonly byte[] StaticBody = """{"status":"ok"}"""u8.ToArray();

    readonly string connectionString = options.Value.IsPostgres
        ? configuration.GetConnectionString("Connectory")!
        : DatabaseRegistration.SqliteConnectionString(dataDirectory);

    // The ceiling rungs: the same statements kept prepared on their connection. On PostgreSQL a data source of its own
    // that prepares every statement at its first use and never resets a returned connection; on SQLite open
    // connections that keep their prepared statements (what the service's own statement pool does).
    NpgsqlDataSource? preparing;
    readonly ConcurrentStack<PreparedConnection> keptOpen = new();

    async Task ReadPreparedAsync(SqlText sql, Func<DbDataReader, Task> consume, CancellationToken ct)
    {
        if (options.Value.IsPostgres)
        {
            var source = LazyInitializer.EnsureInitialized(ref preparing, () => NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(connectionString)
            {
                NoResetOnClose = true,
                MaxAutoPrepare = 16,
                AutoPrepareMinUsages = 1,
            }));
            await using var connection = await source.OpenConnectionAsync(ct);
            await using var command = connection.CreateCommand();
            command.CommandText = sql.Text;
            sql.Bind(command);
            await using var reader = await command.ExecuteReaderAsync(ct);
            await consume(reader);
            return;
        }
        var kept = keptOpen.TryPop(out var open) ? open : PreparedConnection.Open(connectionString);
        await using (var reader = await kept.Command(sql).ExecuteReaderAsync(ct))
        {
            await consume(reader);
        }
        keptOpen.Push(kept);
    }

    /// <summary><see cref="PointRead"/> with the statement kept prepared.</summary>
    public Task PreparedPointRead(HttpContext context, string tenant, string id)
    {
        var sql = new SqlText($"SELECT {Columns} FROM data_connections WHERE ");
        sql.Append($"\"TenantId\" = {sql.Param(tenant)} AND \"Id\" = {sql.Param(id)}");
        return ReadPreparedAsync(sql, async reader =>
        {
            if (!await reader.ReadAsync(context.RequestAborted))
            {
                context.Response.StatusCode = 404;
                return;
            }
            await WriteRowsAsync(context, reader, single: true);
        }, context.RequestAborted);
    }

    /// <summary><see cref="Page"/> with the statement kept prepared.</summary>
    public Task PreparedPage(HttpContext context, string tenant, string type, string? afterName, string? afterId)
    {
        var sql = new SqlText($"SELECT {Columns} FROM data_connections WHERE ");
        sql.Append($"\"TenantId\" = {sql.Param(tenant)} AND \"Type\" = {sql.Param(type)}");
        if (afterName is not null)
        {
            sql.Append($" AND (\"NameSortKey\", \"Id\") > ({sql.Param(ConnectionFields.SortKey(afterName))}, {sql.Param(afterId ?? "")})");
        }
        sql.Append(" ORDER BY \"NameSortKey\", \"Id\" LIMIT 100");
        return ReadPreparedAsync(sql, reader => WriteRowsAsync(context, reader, single: false), context.RequestAborted);
    }

    async Task<DbConnection> OpenAsync(CancellationToken ct)
    {
        DbConnection connection = options.Value.IsPostgres ? new NpgsqlConnection(connectionString) : new SqliteConnection(connectionString);
        await connection.OpenAsync(ct);
        if (connection is SqliteConnection)
        {
            // The pragmas the service sets on the connections it opens, the way it sets them.
            SqliteDurability.Prepare(connection);
        }
        return connection;
    }

    const string Columns = "\"Id\", \"Name\", \"Type\", \"DatasourceId\", \"ConnectStatement\", \"SpaceId\", \"OwnerId\", \"Qri\", \"Tags\", \"CreatedAt\", \"UpdatedAt\"";

    public static Task Static(HttpContext context)
    {
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = StaticBody.Length;
        return context.Response.Body.WriteAsync(StaticBody).AsTask();
    }

    /// <summary>One row by primary key, written as JSON.</summary>
    public async Task PointRead(HttpContext context, string tenant, string id)
    {
        await using var connection = await OpenAsync(context.RequestAborted);
        await using var command = connection.CreateCommand();
        // The primary key is (TenantId, Id): ids are unique per tenant.
        command.CommandText = $"SELECT {Columns} FROM data_connections WHERE \"TenantId\" = @tenant AND \"Id\" = @id";
        Add(command, "tenant", tenant);
        Add(command, "id", id);
        await using var reader = await command.ExecuteReaderAsync(context.RequestAborted);
        if (!await reader.ReadAsync(context.RequestAborted))
        {
            context.Response.StatusCode = 404;
            return;
        }
        await WriteRowsAsync(context, reader, single: true);
    }

    /// <summary>100 rows of one tenant and type after a keyset position (name, id) in name order: what a list page reads.</summary>
    public async Task Page(HttpContext context, string tenant, string type, string? afterName, string? afterId)
    {
        await using var connection = await OpenAsync(context.RequestAborted);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM data_connections WHERE \"TenantId\" = @tenant AND \"Type\" = @type"
            + (afterName is null ? "" : " AND (\"NameSortKey\", \"Id\") > (@key, @id)")
            + " ORDER BY \"NameSortKey\", \"Id\" LIMIT 100";
        Add(command, "tenant", tenant);
        Add(command, "type", type);
        if (afterName is not null)
        {
            Add(command, "key", ConnectionFields.SortKey(afterName));
            Add(command, "id", afterId ?? "");
        }
        await using var reader = await command.ExecuteReaderAsync(context.RequestAborted);
        await WriteRowsAsync(context, reader, single: false);
    }

    /// <summary>One INSERT of a full row, values computed as the service computes them, no checks and no encryption.</summary>
    public async Task Insert(HttpContext context, string tenant, string owner)
    {
        var name = "raw-" + Guid.NewGuid().ToString("N");
        var now = DateTime.UtcNow;
        await using var connection = await OpenAsync(context.RequestAborted);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO data_connections ("Id", "TenantId", "SpaceId", "SpaceType", "OwnerId", "Scope", "Name", "NameFold", "NameSortKey",
              "Type", "DatasourceId", "ConnectStatement", "LogOn", "Architecture", "SeparateCredentials", "Tags", "Qri", "CreatedBy", "CreatedAt", "UpdatedAt")
            VALUES (@id, @tenant, NULL, 'personal', @owner, @scope, @name, @fold, @sort, 'QvOdbcPostgres.exe', 'postgres', @statement, 0, 0, @false, '[]', @qri, @owner, @now, @now)
            """;
        Add(command, "id", Guid.NewGuid().ToString());
        Add(command, "tenant", tenant);
        Add(command, "owner", owner);
        Add(command, "scope", DataConnection.PersonalScope(owner));
        Add(command, "name", name);
        Add(command, "fold", ConnectionFields.Fold(name));
        Add(command, "sort", ConnectionFields.SortKey(name));
        Add(command, "statement", "CUSTOM CONNECT TO \"provider=QvOdbcPostgres.exe;host=raw.example;port=5432;\"");
        Add(command, "false", false);
        Add(command, "qri", "qri:db:postgres://raw");
        Add(command, "now", now);
        await command.ExecuteNonQueryAsync(context.RequestAborted);
        context.Response.StatusCode = 201;
        await context.Response.WriteAsJsonAsync(new { id = name }, context.RequestAborted);
    }

    static void Add(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }

    static void WriteRow(Utf8JsonWriter json, DbDataReader reader)
    {
        json.WriteStartObject();
        json.WriteString("qID", reader.GetString(0));
        json.WriteString("qName", reader.GetString(1));
        json.WriteString("qType", reader.GetString(2));
        json.WriteString("datasourceID", reader.GetString(3));
        json.WriteString("qConnectStatement", reader.GetString(4));
        json.WriteString("space", reader.IsDBNull(5) ? "" : reader.GetString(5));
        json.WriteString("user", reader.GetString(6));
        json.WriteString("qri", reader.GetString(7));
        json.WritePropertyName("tags");
        json.WriteRawValue(reader.GetString(8));
        json.WriteString("created", reader.GetDateTime(9).ToRfc3339());
        json.WriteString("updated", reader.GetDateTime(10).ToRfc3339());
        json.WriteEndObject();
    }

    static async Task WriteRowsAsync(HttpContext context, DbDataReader reader, bool single)
    {
        context.Response.ContentType = "application/json";
        await using var json = new Utf8JsonWriter(context.Response.BodyWriter);
        if (single)
        {
            WriteRow(json, reader);
        }
        else
        {
            json.WriteStartObject();
            json.WriteStartArray("data");
            while (await reader.ReadAsync(context.RequestAborted))
            {
                WriteRow(json, reader);
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        await json.FlushAsync(context.RequestAborted);
    }
}

internal static class BaselineEndpoints
{
    public static void MapBaselines(this WebApplication app)
    {
        var bench = app.MapGroup("/bench").AllowAnonymous();
        bench.MapGet("/static", Baselines.Static);
        bench.MapGet("/raw/point/{id}", (HttpContext c, string tenant, string id, Baselines b) => b.PointRead(c, tenant, id));
        bench.MapGet("/raw/page", (HttpContext c, string tenant, string type, string? afterName, string? afterId, Baselines b) => b.Page(c, tenant, type, afterName, afterId));
        bench.MapGet("/prepared/point/{id}", (HttpContext c, string tenant, string id, Baselines b) => b.PreparedPointRead(c, tenant, id));
        bench.MapGet("/prepared/page", (HttpContext c, string tenant, string type, string? afterName, string? afterId, Baselines b) => b.PreparedPage(c, tenant, type, afterName, afterId));
        bench.MapPost("/raw/insert", (HttpContext c, string tenant, string owner, Baselines b) => b.Insert(c, tenant, owner));
    }
}
