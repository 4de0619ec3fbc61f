using Connectory.Data;
using Connectory.Platform.Auth;
using Connectory.Platform.Tenants;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Connectory.Hosting;

/// <summary>
/// Runs before the server accepts requests: applies migrations (SQLite always, PostgreSQL when asked), refuses to
/// serve a PostgreSQL schema that is behind or any schema newer than this build, and creates the <c>default</c> tenant on an empty store.
/// </summary>
internal sealed class DatabaseInitializer(
    IServiceProvider services,
    IOptions<DatabaseOptions> databaseOptions,
    IOptions<AuthOptions> authOptions,
    DataDirectory dataDirectory,
    DataFileModes fileModes,
    SecretFile secretFile,
    ILogger<DatabaseInitializer> logger) : IHostedService
{
    public const string BootstrapKeyFile = "bootstrap-admin.key";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        fileModes.Check();
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ConnectoryDb>();
        try
        {
            await MigrateAsync(db, databaseOptions.Value, logger, cancellationToken);
        }
        catch (Exception e) when (e is MigrationLockTimeoutException or SchemaTooNewException)
        {
            logger.LogCritical("Refusing to start: {Problem}", e.Message);
            throw;
        }
        await scope.ServiceProvider.GetRequiredService<Secrets.MasterKeyCheck>().VerifyAsync(cancellationToken);
        await BootstrapAsync(db, scope.ServiceProvider.GetRequiredService<TenantProvisioning>(), cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Brings the schema up to date (SQLite always; PostgreSQL when <paramref name="force"/> or Database:MigrateAtStart,
    /// else a schema that is behind is refused). Nothing pending takes no lock at all; waits for the migration lock end
    /// after Database:MigrationLockTimeout (see <see cref="MigrationLock"/>).
    /// </summary>
    public static async Task MigrateAsync(ConnectoryDb db, DatabaseOptions options, ILogger logger, CancellationToken ct, bool force = false)
    {
        db.MigrationLockTimeout = options.MigrationLockTimeout;
        var connection = db.Database.GetDbConnection();
        if (!options.IsPostgres)
        {
            // Made owner-only before SQLite creates it (0644); its -wal and -shm files take the database file's mode.
            OwnerOnly.CreateFile(new SqliteConnectionStringBuilder(connection.ConnectionString).DataSource);
            // WAL is a property of the database file: set it once, before anything else writes.
            await db.Database.OpenConnectionAsync(ct);
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct);
            await db.Database.CloseConnectionAsync();
        }
        // Reading the history waits while another PostgreSQL session holds the migration lock, hence the bound.
        var schema = await MigrationLock.WaitAsync(connection, options.MigrationLockTimeout,
            async bounded => new SchemaVersion([.. await db.Database.GetAppliedMigrationsAsync(bounded)], [.. db.Database.GetMigrations()]), ct);
        if (schema.IsNewer)
        {
            // Migrating or serving it could undo what the newer version relies on.
            throw new SchemaTooNewException(schema.NewerMessage());
        }
        var pending = schema.Pending;
        if (pending.Count == 0)
        {
            return;
        }
        if (options.IsPostgres && !force && !options.MigrateAtStart)
        {
            throw new InvalidOperationException(
                $"The PostgreSQL schema is behind by {pending.Count} migration(s) ({string.Join(", ", pending)}). Run 'connectory migrate' or set Database__MigrateAtStart=true.");
        }
        logger.LogInformation("Applying {Count} migration(s): {Migrations}", pending.Count, string.Join(", ", pending));
        if (!options.IsPostgres
            && await MigrationLock.ClearLeftoverSqliteLockAsync(connection.ConnectionString, options.MigrationLockTimeout, ct) is { } takenAt)
        {
            logger.LogWarning("Removed a leftover migration lock (the row in {Table}, taken {TakenAt} UTC) from {Database}: a start or migrate was stopped before it released it",
                MigrationLock.SqliteLockTable, takenAt, connection.DataSource);
        }
        await db.Database.MigrateAsync(ct);
    }

    async Task BootstrapAsync(ConnectoryDb db, TenantProvisioning provisioning, CancellationToken ct)
    {
        if (await db.Tenants.AnyAsync(ct))
        {
            return;
        }
        ProvisionedTenant created;
        try
        {
            created = await provisioning.CreateAsync("default", authOptions.Value.BootstrapApiKey, ct);
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            logger.LogInformation("Another instance created the default tenant first");
            return;
        }
        var keyFile = dataDirectory.File(BootstrapKeyFile);
        await secretFile.WriteAsync(keyFile, created.ApiKey + "\n", ct);
        logger.LogWarning("Created tenant 'default' ({TenantId}) with admin user {UserId}; its API key was written to {KeyFile}", created.Tenant.Id, created.Admin.Id, keyFile);
        // The one time the key is shown: on the console itself, never through the logging pipeline.
        Console.WriteLine($"Bootstrap admin API key (shown once, also in {keyFile}): {created.ApiKey}");
    }
}
