using Connectory.Data;
using Connectory.Platform.Auth;
using Connectory.Platform.Tenants;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Connectory.Hosting;

/// <summary>
/// Runs before the server accepts requests: applies migrations (SQLite always, PostgreSQL when asked), refuses to
/// serve a PostgreSQL schema that is behind, and creates the <c>default</c> tenant on an empty store.
/// </summary>
internal sealed class DatabaseInitializer(
    IServiceProvider services,
    IOptions<DatabaseOptions> databaseOptions,
    IOptions<AuthOptions> authOptions,
    DataDirectory dataDirectory,
    ILogger<DatabaseInitializer> logger) : IHostedService
{
    public const string BootstrapKeyFile = "bootstrap-admin.key";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ConnectoryDb>();
        await MigrateAsync(db, databaseOptions.Value, cancellationToken);
        await scope.ServiceProvider.GetRequiredService<Secrets.MasterKeyCheck>().VerifyAsync(cancellationToken);
        await BootstrapAsync(db, scope.ServiceProvider.GetRequiredService<TenantProvisioning>(), cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public static async Task MigrateAsync(ConnectoryDb db, DatabaseOptions options, CancellationToken ct, bool force = false)
    {
        if (!options.IsPostgres)
        {
            // WAL is a property of the database file: set it once, before anything else writes.
            await db.Database.OpenConnectionAsync(ct);
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct);
            await db.Database.CloseConnectionAsync();
            await db.Database.MigrateAsync(ct);
            return;
        }
        if (force || options.MigrateAtStart)
        {
            await db.Database.MigrateAsync(ct);
            return;
        }
        var pending = (await db.Database.GetPendingMigrationsAsync(ct)).ToList();
        if (pending.Count > 0)
        {
            throw new InvalidOperationException(
                $"The PostgreSQL schema is behind by {pending.Count} migration(s) ({string.Join(", ", pending)}). Run 'connectory migrate' or set Database__MigrateAtStart=true.");
        }
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
        await SecretFile.WriteAsync(keyFile, created.ApiKey + "\n", ct);
        logger.LogWarning("Created tenant 'default' ({TenantId}) with admin user {UserId}; its API key was written to {KeyFile}", created.Tenant.Id, created.Admin.Id, keyFile);
        // The one time the key is shown: on the console itself, never through the logging pipeline.
        Console.WriteLine($"Bootstrap admin API key (shown once, also in {keyFile}): {created.ApiKey}");
    }
}
