using System.Net;
using System.Text.Json;
using Connectory.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace Connectory.Tests.Qrs;

public sealed class QrsCustomPropertyTests(ConnectoryFactory factory) : IClassFixture<ConnectoryFactory>
{
    async Task<(TestTenant Tenant, QrsClient Qrs)> NewAsync()
    {
        var tenant = await factory.NewTenantAsync();
        return (tenant, new QrsClient(tenant.Admin));
    }

    static object ByName(string name, string value) => new { value, definition = new { name } };

    static object ById(string id, string value) => new { value, definition = new { id } };

    static List<(string Name, string Value, string DefinitionId)> Values(JsonElement connection) =>
        [.. connection.GetProperty("customProperties").EnumerateArray()
            .Select(p => (p.GetProperty("definition").GetProperty("name").GetString()!, p.GetProperty("value").GetString()!,
                p.GetProperty("definition").GetProperty("id").GetString()!))];

    Task<List<string>> DefinitionNamesAsync(string tenantId) =>
        factory.WithDbAsync(db => db.QrsCustomPropertyDefinitions.IgnoreQueryFilters()
            .Where(d => d.TenantId == tenantId).Select(d => d.Name).ToListAsync());

    [Fact]
    public async Task CreatingWithANewDefinitionNameMakesTheDefinitionAndStoresTheValue()
    {
        var (tenant, qrs) = await NewAsync();
        var created = await qrs.CreateAsync("Sales", extra: new { customProperties = new[] { ByName("Region", "EMEA") } });

        var property = Assert.Single(created.GetProperty("customProperties").EnumerateArray());
        Assert.True(Guid.TryParse(property.GetProperty("id").GetString(), out _));
        Assert.Equal("EMEA", property.GetProperty("value").GetString());
        Assert.True(DateTime.TryParse(property.GetProperty("createdDate").GetString(), out _));
        Assert.True(DateTime.TryParse(property.GetProperty("modifiedDate").GetString(), out _));
        var definition = property.GetProperty("definition");
        Assert.True(Guid.TryParse(definition.GetProperty("id").GetString(), out _));
        Assert.Equal("Region", definition.GetProperty("name").GetString());
        Assert.Equal("Text", definition.GetProperty("valueType").GetString());
        Assert.Equal(0, definition.GetProperty("choiceValues").GetArrayLength());

        var read = await qrs.GetAsync($"/qrs/dataconnection/{created.GetProperty("id").GetString()}").JsonAsync();
        Assert.Equal([("Region", "EMEA", definition.GetProperty("id").GetString()!)], Values(read));

        var stored = await factory.WithDbAsync(db => db.QrsCustomPropertyDefinitions.IgnoreQueryFilters().SingleAsync(d => d.TenantId == tenant.Id));
        Assert.Equal("Region", stored.Name);
        Assert.Equal("[\"DataConnection\"]", stored.ObjectTypes);
    }

    [Fact]
    public async Task ALaterConnectionReusesTheDefinitionByNameIgnoringCaseOrById()
    {
        var (tenant, qrs) = await NewAsync();
        var first = await qrs.CreateAsync("First", extra: new { customProperties = new[] { ByName("Region", "EMEA") } });
        var definitionId = Values(first)[0].DefinitionId;

        var second = await qrs.CreateAsync("Second", extra: new { customProperties = new[] { ByName("REGION", "APAC") } });
        Assert.Equal([("Region", "APAC", definitionId)], Values(second));

        var many = await qrs.PostAsync("/qrs/dataconnection/many", new object[]
        {
            new { name = "Third", type = "ODBC", connectionstring = "x", customProperties = new[] { ById(definitionId, "AMER") } },
            new { name = "Fourth", type = "ODBC", connectionstring = "x", customProperties = new[] { ByName("Region", "EMEA"), ByName("Owner team", "BI") } },
        }).JsonAsync(HttpStatusCode.Created);
        Assert.Equal([("Region", "AMER", definitionId)], Values(many[0]));
        var fourth = Values(many[1]);
        Assert.Equal(["BI", "EMEA"], fourth.Select(v => v.Value).Order());
        Assert.Equal(definitionId, fourth.Single(v => v.Name == "Region").DefinitionId);

        Assert.Equal(["Owner team", "Region"], (await DefinitionNamesAsync(tenant.Id)).Order());
    }

    [Fact]
    public async Task PutReplacesTheSetAndLeavesItWhenAbsent()
    {
        var (_, qrs) = await NewAsync();
        var created = await qrs.CreateAsync("Ledger", extra: new { customProperties = new[] { ByName("Region", "EMEA"), ByName("Stage", "Test") } });
        var id = created.GetProperty("id").GetString()!;

        var replaced = await qrs.PutAsync($"/qrs/dataconnection/{id}", new
        {
            id,
            modifiedDate = created.GetProperty("modifiedDate").GetString(),
            customProperties = new[] { ByName("Region", "APAC") },
        }).JsonAsync();
        Assert.Equal(["Region=APAC"], Values(replaced).Select(v => v.Name + "=" + v.Value));

        var renamed = await qrs.PutAsync($"/qrs/dataconnection/{id}", new
        {
            id,
            modifiedDate = replaced.GetProperty("modifiedDate").GetString(),
            name = "Ledger 2",
        }).JsonAsync();
        Assert.Equal(["Region=APAC"], Values(renamed).Select(v => v.Name + "=" + v.Value));

        var cleared = await qrs.PutAsync($"/qrs/dataconnection/{id}", new
        {
            id,
            modifiedDate = renamed.GetProperty("modifiedDate").GetString(),
            customProperties = Array.Empty<object>(),
        }).JsonAsync();
        Assert.Empty(Values(cleared));
        var stored = await factory.WithDbAsync(db => db.QrsCustomPropertyValues.IgnoreQueryFilters().CountAsync(v => v.ConnectionId == id));
        Assert.Equal(0, stored);
    }

    [Fact]
    public async Task FilterByCustomPropertyMatchesConnectionsWithThatValue()
    {
        var (_, qrs) = await NewAsync();
        await qrs.CreateAsync("Emea one", extra: new { customProperties = new[] { ByName("Region", "EMEA") } });
        await qrs.CreateAsync("Emea two", extra: new { customProperties = new[] { ByName("Region", "emea"), ByName("Stage", "Prod") } });
        await qrs.CreateAsync("Apac", extra: new { customProperties = new[] { ByName("Region", "APAC"), ByName("Stage", "EMEA") } });
        await qrs.CreateAsync("None");

        async Task<List<string>> Names(string filter) =>
            [.. (await qrs.GetAsync("/qrs/dataconnection?filter=" + Uri.EscapeDataString(filter)).JsonAsync()).EnumerateArray().Select(c => c.GetProperty("name").GetString()!)];

        Assert.Equal(["Emea one", "Emea two"], await Names("@Region eq 'EMEA'"));
        Assert.Equal(["Emea two"], await Names("@region eq 'emea' and @Stage eq 'Prod'"));
        Assert.Equal(["Apac", "Emea two"], await Names("@Stage ne null"));
        Assert.Equal(["Apac"], await Names("@Region sw 'AP' or name eq 'nobody'"));
        Assert.Empty(await Names("@Unknown eq 'EMEA'"));
        Assert.Equal(2, (await qrs.GetAsync("/qrs/dataconnection/count?filter=" + Uri.EscapeDataString("@Region eq 'EMEA'")).JsonAsync()).GetProperty("value").GetInt32());
        Assert.Equal(HttpStatusCode.BadRequest, (await qrs.GetAsync("/qrs/dataconnection?filter=" + Uri.EscapeDataString("@ eq 'x'"))).StatusCode);
    }

    [Fact]
    public async Task DeletingAConnectionDeletesItsValuesButKeepsTheDefinition()
    {
        var (tenant, qrs) = await NewAsync();
        var created = await qrs.CreateAsync("Doomed", extra: new { customProperties = new[] { ByName("Region", "EMEA") } });
        var id = created.GetProperty("id").GetString()!;
        Assert.Equal(1, await factory.WithDbAsync(db => db.QrsCustomPropertyValues.IgnoreQueryFilters().CountAsync(v => v.ConnectionId == id)));

        Assert.Equal(HttpStatusCode.NoContent, (await qrs.DeleteAsync($"/qrs/dataconnection/{id}")).StatusCode);

        Assert.Equal(0, await factory.WithDbAsync(db => db.QrsCustomPropertyValues.IgnoreQueryFilters().CountAsync(v => v.ConnectionId == id)));
        Assert.Equal(["Region"], await DefinitionNamesAsync(tenant.Id));
    }

    [Fact]
    public async Task DefinitionsNeverCrossTenants()
    {
        var (first, firstQrs) = await NewAsync();
        var (second, secondQrs) = await NewAsync();
        var created = await firstQrs.CreateAsync("Mine", extra: new { customProperties = new[] { ByName("Region", "EMEA") } });
        var definitionId = Values(created)[0].DefinitionId;

        var byId = await secondQrs.PostAsync("/qrs/dataconnection", new
        {
            name = "Theirs",
            type = "ODBC",
            connectionstring = "x",
            customProperties = new[] { ById(definitionId, "EMEA") },
        });
        Assert.Equal(HttpStatusCode.BadRequest, byId.StatusCode);

        var byName = await secondQrs.CreateAsync("Theirs", extra: new { customProperties = new[] { ByName("Region", "EMEA") } });
        Assert.NotEqual(definitionId, Values(byName)[0].DefinitionId);
        Assert.Equal(["Region"], await DefinitionNamesAsync(first.Id));
        Assert.Equal(["Region"], await DefinitionNamesAsync(second.Id));
        Assert.Equal(["Theirs"], (await secondQrs.GetAsync("/qrs/dataconnection?filter=" + Uri.EscapeDataString("@Region eq 'EMEA'")).JsonAsync())
            .EnumerateArray().Select(c => c.GetProperty("name").GetString()));
    }

    [Fact]
    public async Task ConcurrentWritersNamingOneNewDefinitionShareIt()
    {
        var (tenant, qrs) = await NewAsync();
        await qrs.CreateAsync("Warm-up");
        var created = await Task.WhenAll(Enumerable.Range(0, 4).Select(n =>
            qrs.CreateAsync($"Parallel {n}", extra: new { customProperties = new[] { ByName("Region", "EMEA") } })));

        Assert.Single(created.Select(c => Values(c)[0].DefinitionId).Distinct());
        Assert.Equal(["Region"], await DefinitionNamesAsync(tenant.Id));
    }

    [Fact]
    public async Task AnUnknownDefinitionIdOrAMalformedItemIs400AndNothingIsWritten()
    {
        var (tenant, qrs) = await NewAsync();
        async Task<HttpResponseMessage> Post(string name, object property) =>
            await qrs.PostAsync("/qrs/dataconnection", new { name, type = "ODBC", connectionstring = "x", customProperties = new[] { property } });

        var unknown = await Post("Unknown", ById(Guid.NewGuid().ToString(), "x"));
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Contains("does not exist", await unknown.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, (await Post("NoDefinition", new { value = "x" })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await Post("NoValue", new { definition = new { name = "Region" } })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await Post("LongName", ByName(new string('n', 101), "x"))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await Post("LongValue", ByName("Region", new string('v', 1025)))).StatusCode);

        var many = await qrs.PostAsync("/qrs/dataconnection/many", new object[]
        {
            new { name = "Good", type = "ODBC", connectionstring = "x", customProperties = new[] { ByName("Region", "EMEA") } },
            new { name = "Bad", type = "ODBC", connectionstring = "x", customProperties = new[] { ById(Guid.NewGuid().ToString(), "x") } },
        });
        Assert.Equal(HttpStatusCode.BadRequest, many.StatusCode);

        Assert.Equal(0, (await qrs.GetAsync("/qrs/dataconnection/count").JsonAsync()).GetProperty("value").GetInt32());
        Assert.Empty(await DefinitionNamesAsync(tenant.Id));
    }
}
