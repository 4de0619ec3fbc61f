using Connectory.DataConnections;
using Connectory.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Connectory.Tests.Data;

/// <summary>
/// A store written before ids were per tenant, upgraded by a start: every row is kept with its references, the
/// indexes and triggers made by hand come back, and an id one tenant holds is then free for another.
/// </summary>
public sealed class TenantScopedIdsMigrationTests
{
    const string Before = "_ResolveAuditAndOAuthStates";
    static readonly DateTime At = new(2026, 11, 30, 12, 0, 0, DateTimeKind.Utc);

    [Fact]
    public async Task AStoreFromBeforeKeepsEveryRowAndGainsPerTenantIds()
    {
        using var factory = ConnectoryFactory.FromEmptyDatabase();
        var tenant = "tenant-" + Guid.NewGuid().ToString("N")[..8];
        var other = "tenant-" + Guid.NewGuid().ToString("N")[..8];
        var connection = Guid.NewGuid().ToString();
        var credential = Guid.NewGuid().ToString();
        await using (var db = MigrationSteps.Context(factory.DatabaseConnectionString))
        {
            var migrations = db.Database.GetMigrations().ToList();
            await db.GetService<IMigrator>().MigrateAsync(migrations.Single(m => m.EndsWith(Before, StringComparison.Ordinal)));
            foreach (var id in new[] { tenant, other })
            {
                await db.Database.ExecuteSqlRawAsync(
                    """INSERT INTO tenants ("Id", "Name", "AutoCreateUsers", "CreatedAt", "ConnectionsVersion") VALUES ({0}, {0}, {1}, {2}, 0)""", id, false, At);
            }
            await db.Database.ExecuteSqlRawAsync(
                """
                INSERT INTO data_credentials ("TenantId", "Id", "ConnectionId", "CreatedAt", "DatasourceId", "Name", "NameFold", "OwnerId", "Password", "Separated", "Type", "UpdatedAt", "Username")
                VALUES ({0}, {1}, {2}, {3}, 'postgres', 'cred', 'cred', 'owner-1', 'sealed-value', {4}, 'QvOdbcPostgres.exe', {3}, 'reader')
                """, tenant, credential, connection, At, false);
            await db.Database.ExecuteSqlRawAsync(
                """
                INSERT INTO data_connections ("TenantId", "Id", "AppOwner", "Architecture", "ConnectStatement", "ConnectionSecret", "CreatedAt", "CreatedBy", "CredentialId", "DatasourceId", "LogOn", "Name", "NameFold", "NameSortKey", "OwnerId", "Qri", "Scope", "SeparateCredentials", "SpaceId", "SpaceType", "Tags", "Type", "UpdatedAt")
                VALUES ({0}, {1}, NULL, 0, 'CUSTOM CONNECT TO "x"', NULL, {2}, 'owner-1', {3}, 'postgres', 0, 'sales', 'sales', 'sales', 'owner-1', 'qri:x', 'personal:owner-1', {4}, NULL, 'personal', '[]', 'QvOdbcPostgres.exe', {2})
                """, tenant, connection, At, credential, false);
            await db.Database.ExecuteSqlRawAsync(
                """
                INSERT INTO qrs_custom_property_definitions ("Id", "TenantId", "Name", "NameFold", "ValueType", "ChoiceValues", "ObjectTypes", "CreatedAt", "UpdatedAt")
                VALUES ('def-1', {0}, 'Region', 'region', 'Text', '[]', '["DataConnection"]', {1}, {1})
                """, tenant, At);
            await db.Database.ExecuteSqlRawAsync(
                """
                INSERT INTO qrs_custom_property_values ("Id", "ConnectionId", "CreatedAt", "DefinitionId", "TenantId", "UpdatedAt", "Value")
                VALUES ('value-1', {0}, {1}, 'def-1', {2}, {1}, 'EMEA')
                """, connection, At, tenant);
        }

        // The start migrates the rest.
        _ = factory.Client(null);

        var (kept, reference, property) = await factory.WithDbAsync(async db => (
            await db.DataConnections.IgnoreQueryFilters().AsNoTracking().SingleAsync(c => c.Id == connection),
            await db.DataCredentials.IgnoreQueryFilters().AsNoTracking().SingleAsync(c => c.Id == credential),
            await db.QrsCustomPropertyValues.IgnoreQueryFilters().AsNoTracking().SingleAsync(v => v.Id == "value-1")));
        Assert.Equal((tenant, "sales", credential, "personal:owner-1"), (kept.TenantId, kept.Name, kept.CredentialId, kept.Scope));
        Assert.Equal((tenant, "sealed-value", connection), (reference.TenantId, reference.Password, reference.ConnectionId));
        Assert.Equal((connection, "EMEA"), (property.ConnectionId, property.Value));

        // The same ids, now taken by the other tenant, with its own credential reference; the version trigger still counts.
        var version = await factory.WithDbAsync(db => db.Tenants.Where(t => t.Id == other).Select(t => t.ConnectionsVersion).SingleAsync());
        await factory.WithDbAsync(async db =>
        {
            var copy = DataConnection.New(connection, other, "owner-2", null, "personal", "sales", "QvOdbcPostgres.exe", "postgres", "CUSTOM CONNECT TO \"y\"", "owner-2", DateTime.UtcNow);
            copy.Qri = "qri:y";
            db.DataConnections.Add(copy);
            return await db.SaveChangesAsync();
        });
        var both = await factory.WithDbAsync(db => db.DataConnections.IgnoreQueryFilters().Where(c => c.Id == connection).Select(c => c.TenantId).OrderBy(t => t).ToListAsync());
        Assert.Equal(new[] { tenant, other }.Order(), both);
        Assert.True(await factory.WithDbAsync(db => db.Tenants.Where(t => t.Id == other).Select(t => t.ConnectionsVersion).SingleAsync()) > version);

        // The expression index made by hand is back.
        var indexes = await factory.WithDbAsync(db => db.Database.SqlQueryRaw<string>(TestDatabase.IsPostgres
            ? "SELECT indexname AS \"Value\" FROM pg_indexes WHERE tablename = 'data_connections'"
            : "SELECT name AS \"Value\" FROM sqlite_master WHERE type = 'index' AND tbl_name = 'data_connections'").ToListAsync());
        Assert.Contains("IX_data_connections_TenantId_TypeFold_Name_Id", indexes);
    }
}
