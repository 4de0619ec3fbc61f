using System.Net.Http.Json;
using Connectory.Tests.Support;

namespace Connectory.Tests.DataSources;

/// <summary>Connections of a data source the tenant disabled leave data-connection lists unless includeDisabled=true.</summary>
public sealed class DisabledSourceListingTests(ConnectoryFactory factory) : IClassFixture<ConnectoryFactory>
{
    static object Connection(string name, string datasource, string type) => new
    {
        qName = name,
        qType = type,
        datasourceID = datasource,
        qConnectStatement = $"CUSTOM CONNECT TO \"provider={type};host=db.example.test;\"",
    };

    static async Task<List<string>> NamesAsync(HttpClient client, string query)
    {
        var page = await client.GetAsync("/api/v1/data-connections?noDatafiles=true" + query).JsonAsync();
        Assert.Equal(page.GetProperty("data").GetArrayLength(), page.GetProperty("meta").GetProperty("count").GetInt32());
        return page.GetProperty("data").EnumerateArray().Select(c => c.GetProperty("qName").GetString()!).Order().ToList();
    }

    [Fact]
    public async Task DisablingASourceHidesItsConnectionsUntilIncludeDisabled()
    {
        var tenant = await factory.NewTenantAsync();
        await tenant.Admin.PostAsJsonAsync("/api/v1/data-connections", Connection("pg", "postgres", "QvOdbcPostgres.exe")).JsonAsync(System.Net.HttpStatusCode.Created);
        await tenant.Admin.PostAsJsonAsync("/api/v1/data-connections", Connection("sf", "snowflake", "QvOdbcSnowflake.exe")).JsonAsync(System.Net.HttpStatusCode.Created);
        Assert.Equal(["pg", "sf"], await NamesAsync(tenant.Admin, ""));

        await tenant.Admin.PutAsJsonAsync("/api/v1/data-sources/postgres/settings", new { disabled = true }).JsonAsync();
        Assert.Equal(["sf"], await NamesAsync(tenant.Admin, ""));
        Assert.Equal(["pg", "sf"], await NamesAsync(tenant.Admin, "&includeDisabled=true"));

        // Another tenant's settings are its own.
        var other = await factory.NewTenantAsync();
        await other.Admin.PostAsJsonAsync("/api/v1/data-connections", Connection("pg", "postgres", "QvOdbcPostgres.exe")).JsonAsync(System.Net.HttpStatusCode.Created);
        Assert.Equal(["pg"], await NamesAsync(other.Admin, ""));

        await tenant.Admin.PutAsJsonAsync("/api/v1/data-sources/postgres/settings", new { disabled = false }).JsonAsync();
        Assert.Equal(["pg", "sf"], await NamesAsync(tenant.Admin, ""));
    }
}
