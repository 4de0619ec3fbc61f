using Connectory.Data;
using Connectory.Platform.ApiKeys;
using Connectory.Platform.Auth;
using Connectory.Platform.Tenants;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Connectory.Hosting;

/// <summary>Admin subcommands. They build the same app as the server and use its services, without serving.</summary>
internal static class AdminCommands
{
    public static async Task<int> MigrateAsync(WebApplication app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ConnectoryDb>();
        await DatabaseInitializer.MigrateAsync(db, scope.ServiceProvider.GetRequiredService<IOptions<DatabaseOptions>>().Value, CancellationToken.None, force: true);
        Console.WriteLine($"Schema is up to date ({(await db.Database.GetAppliedMigrationsAsync()).Count()} migrations applied).");
        return 0;
    }

    public static async Task<int> CreateTenantAsync(WebApplication app)
    {
        var name = app.Configuration["name"];
        if (string.IsNullOrWhiteSpace(name))
        {
            return Fail("usage: connectory tenants create --name <name> [--auto-create-users=true]");
        }
        if (!bool.TryParse(app.Configuration["auto-create-users"] ?? "false", out var autoCreateUsers))
        {
            return Fail("--auto-create-users takes true or false");
        }
        await using var scope = app.Services.CreateAsyncScope();
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

    public static async Task<int> CreateApiKeyAsync(WebApplication app)
    {
        var (tenantRef, userRef) = (app.Configuration["tenant"], app.Configuration["user"]);
        if (string.IsNullOrWhiteSpace(tenantRef) || string.IsNullOrWhiteSpace(userRef))
        {
            return Fail("usage: connectory apikeys create --tenant <tenant id or name> --user <user id or subject> [--description text]");
        }
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ConnectoryDb>();
        var time = scope.ServiceProvider.GetRequiredService<TimeProvider>();
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
        var now = time.UtcNow();
        var token = ApiKeyTokens.NewToken();
        db.ApiKeys.Add(new ApiKey
        {
            Id = Ids.New(),
            TenantId = tenant.Id,
            UserId = user.Id,
            CreatedByUserId = user.Id,
            Description = app.Configuration["description"] ?? "Created by connectory apikeys create",
            TokenHash = ApiKeyTokens.Hash(token),
            ExpiresAt = now + scope.ServiceProvider.GetRequiredService<IOptions<ApiKeyOptions>>().Value.DefaultExpiry,
            CreatedAt = now,
            UpdatedAt = now,
        });
        await db.SaveChangesAsync();
        Console.WriteLine(token);
        return 0;
    }

    /// <summary>Reads a value from standard input and prints it sealed for one setting (see <see cref="Secrets.SealedSetting"/>).</summary>
    public static async Task<int> SealSettingAsync(WebApplication app)
    {
        var setting = app.Configuration["setting"];
        if (string.IsNullOrWhiteSpace(setting))
        {
            return Fail("usage: echo -n VALUE | connectory secrets seal --setting Section:Key");
        }
        var value = (await Console.In.ReadToEndAsync()).TrimEnd('\r', '\n');
        if (value.Length == 0)
        {
            return Fail("No value on standard input.");
        }
        var protector = app.Services.GetRequiredService<Secrets.SecretProtector>();
        Console.WriteLine(Secrets.SealedSetting.Seal(protector, setting, value));
        return 0;
    }

    static int Fail(string message)
    {
        Console.Error.WriteLine(message);
        return 2;
    }
}
