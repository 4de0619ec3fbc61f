using System.Diagnostics;
using Connectory.Data;
using Connectory.DataConnections;
using Connectory.Platform.Spaces;
using Microsoft.EntityFrameworkCore;

namespace Connectory.Bench;

/// <summary>
/// Fills the default tenant with shared spaces and connections straight through the service's own model and value
/// functions (names, sort keys, QRIs), far faster than through the API, and writes the ids the load scripts use.
/// </summary>
internal static class Seeder
{
    public static readonly string[] Types = ["QvOdbcPostgres.exe", "QvOdbcSnowflake.exe"];

    public static async Task<int> RunAsync(WebApplication app)
    {
        var count = int.Parse(app.Configuration["connections"] ?? "100000", System.Globalization.CultureInfo.InvariantCulture);
        var spaces = int.Parse(app.Configuration["spaces"] ?? "1000", System.Globalization.CultureInfo.InvariantCulture);
        var idsFile = app.Configuration["ids-file"] ?? "ids.txt";
        var watch = Stopwatch.StartNew();

        // The initializer migrates and creates the default tenant when the app starts.
        await app.StartAsync();
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ConnectoryDb>();
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        var tenant = await db.Tenants.SingleAsync(t => t.Name == "default");
        var admin = await db.Users.IgnoreQueryFilters().SingleAsync(u => u.TenantId == tenant.Id && u.Subject == "admin");
        var now = DateTime.UtcNow;
        var random = new Random(42);

        var spaceIds = new List<string>(spaces);
        for (var s = 0; s < spaces; s++)
        {
            var name = $"bench-space-{s:D4}";
            var space = new Space
            {
                Id = Ids.New(),
                TenantId = tenant.Id,
                Name = name,
                NormalizedName = Space.Normalize(name),
                Type = SpaceTypes.Shared,
                OwnerId = admin.Id,
                CreatedBy = admin.Id,
                CreatedAt = now,
                UpdatedAt = now,
            };
            db.Add(space);
            spaceIds.Add(space.Id);
        }
        await db.SaveChangesAsync();
        db.ChangeTracker.Clear();

        var ids = new List<string>(count);
        for (var i = 0; i < count; i++)
        {
            var type = Types[i % Types.Length];
            var host = $"db{random.Next(10_000)}.bench.example";
            var statement = $"CUSTOM CONNECT TO \"provider={type};host={host};port=5432;database=sales;\"";
            var name = $"conn-{random.Next(1_000_000):D6}-{i}";
            var spaceId = spaceIds[i % spaceIds.Count];
            var connection = new DataConnection
            {
                Id = Guid.NewGuid().ToString(),
                TenantId = tenant.Id,
                SpaceId = spaceId,
                SpaceType = SpaceTypes.Shared,
                OwnerId = admin.Id,
                Scope = spaceId,
                Name = name,
                NameFold = ConnectionFields.Fold(name),
                NameSortKey = ConnectionFields.SortKey(name),
                Type = type,
                DatasourceId = type == Types[0] ? "postgres" : "snowflake",
                ConnectStatement = statement,
                Tags = "[\"bench\"]",
                Qri = Qri.For(tenant.QriKey, "", type, ConnectStatement.Parse(statement)),
                CreatedBy = admin.Id,
                CreatedAt = now.AddMilliseconds(i),
                UpdatedAt = now.AddMilliseconds(i),
            };
            db.Add(connection);
            ids.Add(connection.Id);
            if (db.ChangeTracker.Entries().Count() >= 5000)
            {
                await db.SaveChangesAsync();
                db.ChangeTracker.Clear();
            }
        }
        await db.SaveChangesAsync();
        await File.WriteAllLinesAsync(idsFile, ids.OrderBy(_ => random.Next()).Take(10_000));
        Console.WriteLine($"seeded {count} connections in {spaces} spaces in {watch.Elapsed.TotalSeconds:F1} s");
        Console.WriteLine($"tenant={tenant.Id} owner={admin.Id}");
        await app.StopAsync();
        return 0;
    }
}
