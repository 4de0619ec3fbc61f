using System.Data.Common;
using System.Runtime.CompilerServices;
using Connectory.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.Options;

namespace Connectory.Data;

internal static class DatabaseRegistration
{
    /// <summary>The SQLite database's file in the data directory.</summary>
    public const string SqliteFile = "connectory.db";

    public static IServiceCollection AddConnectoryDatabase(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSettings<DatabaseOptions>(DatabaseOptions.Section).ValidateDataAnnotations()
            .Validate(o => o.MigrationLockTimeout > TimeSpan.Zero, "Database:MigrationLockTimeout must be positive (e.g. 00:01:00).")
            .ValidateOnStart();
        services.AddSingleton<DataDirectory>();
        services.AddScoped<TenantScope>();

        var options = configuration.GetSection(DatabaseOptions.Section).Get<DatabaseOptions>() ?? new DatabaseOptions();
        // Contexts are pooled: building one per request (options, internal services) cost more than a point read.
        // The request's tenant is handed to each leased context (see ConnectoryDb.TenantScope).
        switch (options.Provider)
        {
            case "postgres":
                var pg = PostgresConnectionString(configuration.GetConnectionString("Connectory")
                    ?? throw new OptionsValidationException("ConnectionStrings:Connectory", typeof(DatabaseOptions),
                        ["Database:Provider is 'postgres' but ConnectionStrings:Connectory (env ConnectionStrings__Connectory) is not set."]));
                services.AddPooledDbContextFactory<PostgresConnectoryDb>(o => o.UseNpgsql(pg).ReplaceService<IHistoryRepository, BoundedNpgsqlHistoryRepository>().ConfigureWarnings(QuietFailures));
                services.AddScoped<ConnectoryDb>(sp => Lease<PostgresConnectoryDb>(sp));
                break;
            default:
                services.AddPooledDbContextFactory<SqliteConnectoryDb>((sp, o) =>
                    o.UseSqlite(SqliteConnectionString(sp.GetRequiredService<DataDirectory>()))
                     .AddInterceptors(SqliteDurability.Instance)
                     .ReplaceService<IHistoryRepository, BoundedSqliteHistoryRepository>()
                     .ConfigureWarnings(QuietFailures));
                services.AddScoped<ConnectoryDb>(sp => Lease<SqliteConnectoryDb>(sp));
                services.AddSingleton(sp => new SqliteStatementPool(SqliteConnectionString(sp.GetRequiredService<DataDirectory>())));
                services.AddSingleton(sp => new SqliteWriteGate(SqliteConnectionString(sp.GetRequiredService<DataDirectory>()), sp.GetService<Hosting.Telemetry.ConnectoryMetrics>()));
                break;
        }
        services.AddScoped(sp => new HotSql(sp.GetRequiredService<ConnectoryDb>(), sp.GetService<SqliteStatementPool>(), sp.GetService<SqliteWriteGate>()));
        return services;
    }

    /// <summary>
    /// A failed command or save is the caller's to judge: a name taken is a 409, a missing history table on a new database
    /// is expected, and what is truly unexpected reaches the error handler, which logs it once with its stack.
    /// </summary>
    static void QuietFailures(WarningsConfigurationBuilder warnings) =>
        warnings.Log((RelationalEventId.CommandError, LogLevel.Debug), (CoreEventId.SaveChangesFailed, LogLevel.Debug));

    static TDb Lease<TDb>(IServiceProvider services) where TDb : ConnectoryDb
    {
        var db = services.GetRequiredService<IDbContextFactory<TDb>>().CreateDbContext();
        db.TenantScope = services.GetRequiredService<TenantScope>();
        db.WriteGate = services.GetService<SqliteWriteGate>();
        db.Audit = services.GetService<Platform.Audit.ChangeAudit>();
        return db;
    }

    /// <summary>
    /// The operator's connection string with the service's defaults for what it leaves unset. Every request opens and
    /// closes a pooled connection several times, and by default Npgsql resets each on close (<c>DISCARD ALL</c>: a
    /// round trip, and it drops prepared statements), then parses and plans every statement anew. The service keeps no
    /// session state (no SET, temporary tables or session locks) so a reset protects nothing, and its hot statements
    /// are few shapes, so preparing them once per physical connection is what a request should cost.
    /// </summary>
    public static string PostgresConnectionString(string configured)
    {
        // Keys as the operator wrote them (Npgsql takes "Max Auto Prepare" and "MaxAutoPrepare" alike): theirs win.
        var given = new DbConnectionStringBuilder { ConnectionString = configured }.Keys.Cast<string>()
            .Select(k => k.Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant()).ToHashSet();
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(configured);
        if (!given.Contains("NORESETONCLOSE"))
        {
            builder.NoResetOnClose = true;
        }
        if (!given.Contains("MAXAUTOPREPARE"))
        {
            builder.MaxAutoPrepare = 64;
        }
        if (!given.Contains("AUTOPREPAREMINUSAGES"))
        {
            builder.AutoPrepareMinUsages = 2;
        }
        return builder.ConnectionString;
    }

    public static string SqliteConnectionString(DataDirectory dataDirectory) =>
        new SqliteConnectionStringBuilder
        {
            DataSource = dataDirectory.File(SqliteFile),
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
}

/// <summary>
/// Every SQLite connection runs with synchronous=FULL so an acknowledged write survives power loss.
/// WAL is a property of the file, set once by the initializer; writers get BEGIN IMMEDIATE from
/// Microsoft.Data.Sqlite's default transactions and wait on the busy timeout instead of failing.
/// </summary>
internal sealed class SqliteDurability : DbConnectionInterceptor
{
    public static readonly SqliteDurability Instance = new();

    // Pragmas stay set on a physical connection while the pool hands it out again, so each gets them once,
    // not on every logical open (EF Core opens a pooled connection per query).
    static readonly ConditionalWeakTable<object, object> Prepared = new();

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Prepare(connection);

    public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Prepare(connection);
        return Task.CompletedTask;
    }

    /// <summary>Sets the service's pragmas on an open SQLite connection, once per physical connection.</summary>
    public static void Prepare(DbConnection connection)
    {
        var handle = (connection as SqliteConnection)?.Handle;
        if (handle is not null && Prepared.TryGetValue(handle, out _))
        {
            return;
        }
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA synchronous=FULL; PRAGMA busy_timeout=30000;";
        command.ExecuteNonQuery();
        if (handle is not null)
        {
            Prepared.AddOrUpdate(handle, Instance);
        }
    }
}
