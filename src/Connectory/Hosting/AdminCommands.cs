using Connectory.Data;
using Connectory.Platform.ApiKeys;
using Connectory.Platform.Tenants;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Connectory.Hosting;

/// <summary>Admin subcommands. They build the same app as the server and use its services, without serving.</summary>
internal static class AdminCommands
{
    public static async Task<int> MigrateAsync(IServiceProvider services)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ConnectoryDb>();
        await DatabaseInitializer.MigrateAsync(db, scope.ServiceProvider.GetRequiredService<IOptions<DatabaseOptions>>().Value,
            scope.ServiceProvider.GetRequiredService<ILogger<DatabaseInitializer>>(), CancellationToken.None, force: true);
        Console.WriteLine($"Schema is up to date ({(await db.Database.GetAppliedMigrationsAsync()).Count()} migrations applied).");
        return 0;
    }

    public static async Task<int> CreateTenantAsync(IServiceProvider services, string name, bool autoCreateUsers)
    {
        await using var scope = services.CreateAsyncScope();
        await EnsureSchemaAsync(scope.ServiceProvider);
        var provisioning = scope.ServiceProvider.GetRequiredService<TenantProvisioning>();
        try
        {
            var created = await provisioning.CreateAsync(name, null, CancellationToken.None, autoCreateUsers);
            Console.WriteLine($"tenant: {created.Tenant.Id}");
            Console.WriteLine($"users created on first JWT sign-in: {(autoCreateUsers ? "yes" : "no")}");
            Console.WriteLine($"admin user: {created.Admin.Id}");
            Console.WriteLine($"admin API key (shown once): {created.ApiKey}");
            return 0;
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            return Fail($"A tenant named '{name}' already exists.");
        }
    }

    /// <param name="expiry">The key's lifetime; null takes ApiKeys:DefaultExpiry. Over ApiKeys:MaxExpiry is refused, as on the API.</param>
    public static async Task<int> CreateApiKeyAsync(IServiceProvider services, string tenantRef, string userRef, string? description, TimeSpan? expiry)
    {
        await using var scope = services.CreateAsyncScope();
        await EnsureSchemaAsync(scope.ServiceProvider);
        var db = scope.ServiceProvider.GetRequiredService<ConnectoryDb>();
        var tenant = await scope.ServiceProvider.GetRequiredService<TenantProvisioning>().FindAsync(tenantRef, CancellationToken.None);
        if (tenant is null)
        {
            return Fail($"No tenant '{tenantRef}'.");
        }
        var user = await db.Users.IgnoreQueryFilters().FirstOrDefaultAsync(u => u.TenantId == tenant.Id && (u.Id == userRef || u.Subject == userRef));
        if (user is null)
        {
            return Fail($"No user '{userRef}' in tenant '{tenant.Name}'.");
        }
        var request = new ApiKeyRequest(tenant.Id, user.Id, user.Id, description ?? "Created by connectory apikeys create", expiry);
        switch (await scope.ServiceProvider.GetRequiredService<ApiKeyIssuer>().IssueAsync(request, CancellationToken.None))
        {
            case ApiKeyIssue.Issued issued:
                Console.WriteLine(issued.Token);
                return 0;
            case ApiKeyIssue.ExpiryOutOfRange refused:
                return Fail($"--expiry {refused.Detail} (ApiKeys:MaxExpiry).");
            case ApiKeyIssue.TooManyKeys refused:
                return Fail($"{refused.Detail} Revoke one, or raise ApiKeys:MaxKeysPerUser.");
            default:
                throw new InvalidOperationException("Unknown API key outcome.");
        }
    }

    /// <summary>Reads a value from <paramref name="input"/> and prints it sealed for one setting (see <see cref="Secrets.SealedSetting"/>).</summary>
    public static async Task<int> SealSettingAsync(IServiceProvider services, string setting, TextReader input)
    {
        var value = (await input.ReadToEndAsync()).TrimEnd('\r', '\n');
        if (value.Length == 0)
        {
            return Fail("No value on standard input.");
        }
        var protector = services.GetRequiredService<Secrets.SecretProtector>();
        Console.WriteLine(Secrets.SealedSetting.Seal(protector, setting, value));
        return 0;
    }

    /// <summary>The schema as the server would have it at start (SQLite is migrated; PostgreSQL only when Database:MigrateAtStart).</summary>
    static Task EnsureSchemaAsync(IServiceProvider scoped) => DatabaseInitializer.MigrateAsync(
        scoped.GetRequiredService<ConnectoryDb>(), scoped.GetRequiredService<IOptions<DatabaseOptions>>().Value,
        scoped.GetRequiredService<ILogger<DatabaseInitializer>>(), CancellationToken.None);

    /// <summary>The command ran and failed (exit 1); usage errors (exit 2) are the command line's.</summary>
    static int Fail(string message)
    {
        Console.Error.WriteLine(message);
        return 1;
    }
}
