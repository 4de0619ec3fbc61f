using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Connectory.Qrs;
using Connectory.Tests.DataConnections;
using Connectory.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace Connectory.Tests.Qrs;

/// <summary>Import of bundles as Qlik's own QRS yields them (no passwords), and of damaged ones.</summary>
public sealed class QrsImportBundleTests : IClassFixture<ConnectoryFactory>, IDisposable
{
    readonly ConnectoryFactory factory;
    readonly string directory = Directory.CreateTempSubdirectory("connectory-qrs-import").FullName;

    public QrsImportBundleTests(ConnectoryFactory factory) => this.factory = factory;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    string Write(object bundle)
    {
        var file = Path.Combine(directory, Guid.NewGuid().ToString("N") + ".json");
        File.WriteAllText(file, bundle as string ?? JsonSerializer.Serialize(bundle));
        return file;
    }

    static Dictionary<string, object?> Entry(string id, string name, string type = "QvRestConnector.exe", object? owner = null, object? extra = null)
    {
        var entry = new Dictionary<string, object?>
        {
            ["id"] = id,
            ["name"] = name,
            ["type"] = type,
            ["connectionstring"] = "CUSTOM CONNECT TO \"provider=QvRestConnector.exe;url=https://q.example.test;\"",
            ["username"] = "",
            ["password"] = null,
            ["logOn"] = 0,
            ["architecture"] = 2,
            ["owner"] = owner,
            ["tags"] = Array.Empty<object>(),
        };
        foreach (var property in extra is null ? [] : JsonSerializer.SerializeToElement(extra).EnumerateObject())
        {
            entry[property.Name] = property.Value;
        }
        return entry;
    }

    async Task<(QrsMigration.ImportReport? Report, string? Error, string Text)> ImportAsync(string bundle, string tenant, string rules, bool dryRun = false)
    {
        using var text = new StringWriter();
        var (report, error) = await QrsMigration.ImportAsync(factory.Services, new QrsImportSettings(bundle, tenant, rules, null, null, dryRun), text, CancellationToken.None);
        return (report, error, text.ToString());
    }

    [Fact]
    public async Task QlikBundlesKeepTheirIdsOwnersWhoExistAndGoWithoutPasswords()
    {
        var tenant = await factory.NewTenantAsync();
        var space = await tenant.NewSpaceAsync("shared", name: "QSEoW Import");
        var jo = await tenant.Admin.PostAsJsonAsync("/api/v1/users", new { subject = "ACME\\jo", name = "Jo", email = "jo@example.test" });
        Assert.Equal(HttpStatusCode.Created, jo.StatusCode);
        var joId = (await jo.Content.ReadFromJsonAsync<JsonElement>()).Str("id");
        var (owned, stranger, dsn) = (Guid.NewGuid().ToString(), Guid.NewGuid().ToString(), Guid.NewGuid().ToString());
        var bundle = Write(new
        {
            format = "connectory-qrs-bundle",
            version = 1,
            exportedAt = "2026-11-24T00:00:00.000Z",
            source = "https://qlik.example.test:4242/",
            passwordKey = (object?)null,
            connections = new[]
            {
                Entry(owned, "Jo's REST", owner: new { userDirectory = "ACME", userId = "jo", name = "Jo" }, extra: new { username = "jo-svc", passwordEncrypted = "v1:AAAA:BBBB" }),
                Entry(stranger, "Stranger's REST", owner: new { userDirectory = "ACME", userId = "nobody" }),
                Entry(dsn, "Warehouse DSN", type: "ODBC"),
            },
        });

        var (report, error, text) = await ImportAsync(bundle, tenant.Id, "*=QSEoW Import");
        Assert.Null(error);
        Assert.Equal(2, report!.Created);
        Assert.Contains($"created: {owned} 'Jo's REST' -> space 'QSEoW Import' as {owned} (password not carried (no --key); owner ACME\\jo)", text, StringComparison.Ordinal);
        Assert.Contains($"skipped: {dsn} 'Warehouse DSN': unsupported type 'ODBC'", text, StringComparison.Ordinal);

        var joConnection = await tenant.Admin.GetAsync($"/api/v1/data-connections/{owned}").JsonAsync();
        Assert.Equal(joId, joConnection.Str("user"));
        Assert.Equal(space, joConnection.Str("space"));
        Assert.Equal(0, joConnection.GetProperty("qArchitecture").GetInt32());
        var strangerConnection = await tenant.Admin.GetAsync($"/api/v1/data-connections/{stranger}").JsonAsync();
        Assert.Equal(tenant.AdminUserId, strangerConnection.Str("user"));

        // Another tenant importing the same bundle keeps the same ids: ids are per tenant.
        var other = await factory.NewTenantAsync();
        await other.NewSpaceAsync("shared", name: "QSEoW Import");
        var (again, _, _) = await ImportAsync(bundle, other.Id, "*=QSEoW Import");
        Assert.Equal(owned, again!.Lines.Single(l => l.Name == "Jo's REST").TargetId);
        Assert.Equal(HttpStatusCode.OK, (await other.Admin.GetAsync($"/api/v1/data-connections/{owned}")).StatusCode);
        Assert.Equal(space, (await tenant.Admin.GetAsync($"/api/v1/data-connections/{owned}").JsonAsync()).Str("space"));
    }

    [Fact]
    public async Task DamagedEntriesAreSkippedAndDamagedBundlesRefused()
    {
        var tenant = await factory.NewTenantAsync();
        await tenant.NewSpaceAsync("shared", name: "Target");
        var bundle = Write(new
        {
            format = "connectory-qrs-bundle",
            version = 1,
            connections = new object[] { "not an object", new { id = "not-a-guid", name = "X", type = "T", connectionstring = "C" }, Entry(Guid.NewGuid().ToString(), "Odd owner", owner: "ACME\\jo", extra: new { tags = new object[] { "x", 3 }, logOn = 1.5 }) },
        });
        var (report, error, text) = await ImportAsync(bundle, tenant.Id, "*=Target", dryRun: true);
        Assert.Null(error);
        Assert.Equal(2, report!.Skipped);
        Assert.Equal(1, report.Created);
        Assert.Equal(2, text.Split('\n').Count(l => l.Contains("invalid entry", StringComparison.Ordinal)));

        var version2 = Write(new { format = "connectory-qrs-bundle", version = 2, connections = Array.Empty<object>() });
        Assert.Equal($"'{version2}' is not a connectory-qrs-bundle of version 1.", (await ImportAsync(version2, tenant.Id, "*=Target")).Error);
        Assert.StartsWith("Cannot read the bundle", (await ImportAsync(Write("{ not json"), tenant.Id, "*=Target")).Error, StringComparison.Ordinal);
        Assert.Equal("No tenant 'no-such-tenant'.", (await ImportAsync(bundle, "no-such-tenant", "*=Target")).Error);
        Assert.Equal("The space map has no rules.", (await ImportAsync(bundle, tenant.Id, " ; ")).Error);
        Assert.Empty(await factory.WithDbAsync(db => Task.FromResult(db.DataConnections.IgnoreQueryFilters().Where(c => c.TenantId == tenant.Id && c.Type != "qix-datafiles.exe").ToList())));
    }
}
