using Connectory.Hosting;
using Connectory.Platform.Tenants;
using Connectory.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Connectory.Tests.Platform;

/// <summary>`connectory tenants create`, run in-process over its own store, as the binary runs it.</summary>
public sealed class TenantCommandTests : IDisposable
{
    readonly string dataDir = Path.Combine(Path.GetTempPath(), "connectory-tests", "cmd-" + Guid.NewGuid().ToString("N"));
    readonly string? postgresDatabase = TestDatabase.IsPostgres ? TestDatabase.CreatePostgresDatabase() : null;

    public void Dispose()
    {
        if (postgresDatabase is not null)
        {
            using var connection = new Npgsql.NpgsqlConnection(TestDatabase.PostgresConnectionString(postgresDatabase));
            Npgsql.NpgsqlConnection.ClearPool(connection);
            TestDatabase.DropPostgresDatabase(postgresDatabase);
        }
    }

    async Task<(int Exit, Tenant? Tenant)> CreateTenantAsync(string name, params string[] extra)
    {
        string[] store = postgresDatabase is null
            ? [$"--data-dir={dataDir}"]
            : [$"--data-dir={dataDir}", "--Database:Provider=postgres", $"--ConnectionStrings:Connectory={TestDatabase.PostgresConnectionString(postgresDatabase)}"];
        await using var app = ConnectoryApp.Build(ConnectoryApp.CreateBuilder([.. store, $"--name={name}", .. extra]));
        Assert.Equal(0, await AdminCommands.MigrateAsync(app));
        var exit = await AdminCommands.CreateTenantAsync(app);
        await using var scope = app.Services.CreateAsyncScope();
        return (exit, await scope.ServiceProvider.GetRequiredService<TenantProvisioning>().FindAsync(name, CancellationToken.None));
    }

    [Fact]
    public async Task TenantsDoNotCreateUsersOnSignInUnlessAsked()
    {
        var (exit, tenant) = await CreateTenantAsync("plain");
        Assert.Equal(0, exit);
        Assert.False(tenant!.AutoCreateUsers);
    }

    [Fact]
    public async Task AutoCreateUsersIsSetByTheCommand()
    {
        var (exit, tenant) = await CreateTenantAsync("open", "--auto-create-users=true");
        Assert.Equal(0, exit);
        Assert.True(tenant!.AutoCreateUsers);
    }

    [Fact]
    public async Task AutoCreateUsersTakesOnlyTrueOrFalse()
    {
        var (exit, tenant) = await CreateTenantAsync("odd", "--auto-create-users=sometimes");
        Assert.Equal(2, exit);
        Assert.Null(tenant);
    }
}
