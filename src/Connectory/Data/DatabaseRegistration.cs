using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Options;

namespace Connectory.Data;

internal static class DatabaseRegistration
{
    public static IServiceCollection AddConnectoryDatabase(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<DatabaseOptions>().BindConfiguration(DatabaseOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<DataDirectory>();
        services.AddScoped<TenantScope>();

        var options = configuration.GetSection(DatabaseOptions.Section).Get<DatabaseOptions>() ?? new DatabaseOptions();
        switch (options.Provider)
        {
            case "postgres":
                var pg = configuration.GetConnectionString("Connectory")
                    ?? throw new OptionsValidationException("ConnectionStrings:Connectory", typeof(DatabaseOptions),
                        ["Database:Provider is 'postgres' but ConnectionStrings:Connectory (env ConnectionStrings__Connectory) is not set."]);
                services.AddDbContext<ConnectoryDb, PostgresConnectoryDb>(o => o.UseNpgsql(pg));
                break;
            default:
                services.AddDbContext<ConnectoryDb, SqliteConnectoryDb>((sp, o) =>
                    o.UseSqlite(SqliteConnectionString(sp.GetRequiredService<DataDirectory>()))
                     .AddInterceptors(SqliteDurability.Instance));
                break;
        }
        return services;
    }

    public static string SqliteConnectionString(DataDirectory dataDirectory) =>
        new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder
        {
            DataSource = dataDirectory.File("connectory.db"),
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

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Apply(connection);

    public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Apply(connection);
        return Task.CompletedTask;
    }

    static void Apply(DbConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA synchronous=FULL; PRAGMA busy_timeout=30000;";
        command.ExecuteNonQuery();
    }
}
