using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Connectory.Tests.Platform;
using Connectory.Tests.Support;

namespace Connectory.Tests.Resolving;

/// <summary>QRIs below a connection: its own QRI, then the data source's path and item parts; a 207 with a status per item.</summary>
public sealed class GenerateQriTests(ConnectoryFactory factory) : IClassFixture<ConnectoryFactory>
{
    static async Task<JsonElement[]> GenerateAsync(HttpClient client, object body)
    {
        var response = await client.PostAsJsonAsync(ResolveKit.GenerateQriUrl, body);
        var answer = await ApiAssert.OkAsync(response, HttpStatusCode.MultiStatus);
        return answer.GetProperty("data").EnumerateArray().ToArray();
    }

    static async Task<string> QriOfAsync(HttpClient client, string id) =>
        (await client.GetAsync($"/api/v1/data-connections/{id}").JsonAsync()).GetProperty("qri").GetString()!;

    static void AssertFailed(JsonElement item, int status, int dcaasCode)
    {
        Assert.Equal(status, item.GetProperty("status").GetProperty("code").GetInt32());
        var error = item.GetProperty("status").GetProperty("errorResponse");
        Assert.Equal(dcaasCode, error.GetProperty("dcaasErrorCode").GetInt32());
        Assert.False(string.IsNullOrEmpty(error.GetProperty("errorCodeName").GetString()));
        Assert.False(string.IsNullOrEmpty(error.GetProperty("errorMessage").GetString()));
        Assert.Equal("", item.GetProperty("qri").GetString());
        Assert.False(item.GetProperty("isFullyQualified").GetBoolean());
    }

    [Fact]
    public async Task PathAndItemPartsFollowTheConnectionsQri()
    {
        var tenant = await factory.NewTenantAsync();
        var user = await tenant.NewUserAsync();
        var id = await user.Client.NewConnectionAsync(null, "sales", "pw");
        var qri = await QriOfAsync(user.Client, id);
        Assert.StartsWith("qri:db:postgres://", qri);

        var items = await GenerateAsync(user.Client, new
        {
            data = new object[]
            {
                new { connectionType = "id", connection = id, requestId = "r1",
                      pathProperties = new[] { new { name = "table", value = "orders" }, new { name = "schema", value = "public" } },
                      itemProperties = new[] { new { name = "column", value = "id" } } },
                new { connectionType = "id", connection = id, requestId = "r2", pathProperties = new[] { new { value = "public" }, new { value = "orders" } } },
                new { connectionType = "id", connection = id, requestId = "r3", pathProperties = new[] { new { name = "schema", value = "public" } } },
                new { connectionType = "id", connection = id, requestId = "r4" },
            },
        });

        Assert.Equal(["r1", "r2", "r3", "r4"], items.Select(i => i.GetProperty("requestId").GetString()));
        Assert.All(items, i => Assert.Equal(200, i.GetProperty("status").GetProperty("code").GetInt32()));
        Assert.All(items, i => Assert.False(i.GetProperty("status").TryGetProperty("errorResponse", out _)));
        Assert.All(items, i => Assert.Equal("postgres", i.GetProperty("dataSourceId").GetString()));
        Assert.All(items, i => Assert.Equal(("id", id), (i.GetProperty("connectionType").GetString(), i.GetProperty("connection").GetString())));
        Assert.Equal([qri + "#public.orders#id", qri + "#public.orders", qri + "#public", qri], items.Select(i => i.GetProperty("qri").GetString()));
        Assert.Equal([true, true, false, false], items.Select(i => i.GetProperty("isFullyQualified").GetBoolean()));
    }

    [Fact]
    public async Task ValuesArePercentEncodedUnlessRawValuesAreAskedFor()
    {
        var tenant = await factory.NewTenantAsync();
        var user = await tenant.NewUserAsync();
        var id = await user.Client.NewConnectionAsync(null, "sales", "pw");
        var qri = await QriOfAsync(user.Client, id);
        object Item() => new { connectionType = "id", connection = id, pathProperties = new[] { new { value = "my.schema" }, new { value = "Ordres #1/ü" } } };

        var encoded = Assert.Single(await GenerateAsync(user.Client, new { data = new[] { Item() } }));
        var raw = Assert.Single(await GenerateAsync(user.Client, new { data = new[] { Item() }, rawValues = true }));

        Assert.Equal(qri + "#my%2Eschema.Ordres%20%231%2F%C3%BC", encoded.GetProperty("qri").GetString());
        Assert.Equal(qri + "#my.schema.Ordres #1/ü", raw.GetProperty("qri").GetString());
    }

    [Fact]
    public async Task ByNameInASpaceOrThePersonalSpace()
    {
        var tenant = await factory.NewTenantAsync();
        var user = await tenant.NewUserAsync();
        var spaceName = "QriSpace " + Guid.NewGuid().ToString("N")[..6];
        var spaceId = await tenant.NewSpaceAsync("shared", user.Client, spaceName);
        var inSpace = await user.Client.NewConnectionAsync(spaceId, "warehouse", "pw");
        var personal = await user.Client.NewConnectionAsync(null, "mine", null, statement: "/srv/files", datasourceID: "folder");

        var items = await GenerateAsync(user.Client, new
        {
            data = new object[]
            {
                new { connectionType = "name", connection = $"{spaceName}:warehouse" },
                new { connectionType = "name", connection = "warehouse", spaceId },
                new { connectionType = "name", connection = ":mine", pathProperties = new[] { new { name = "file", value = "a.csv" } } },
            },
        });

        var qri = await QriOfAsync(user.Client, inSpace);
        Assert.Equal([qri, qri], items.Take(2).Select(i => i.GetProperty("qri").GetString()));
        Assert.Equal(await QriOfAsync(user.Client, personal) + "#a%2Ecsv", items[2].GetProperty("qri").GetString());
        Assert.True(items[2].GetProperty("isFullyQualified").GetBoolean());
        Assert.Equal("folder", items[2].GetProperty("dataSourceId").GetString());
    }

    [Fact]
    public async Task FromAConnectStatementTheQriIsTheOneAConnectionWithItWouldHave()
    {
        var tenant = await factory.NewTenantAsync();
        var user = await tenant.NewUserAsync();
        var id = await user.Client.NewConnectionAsync(null, "sales", "pw");

        var items = await GenerateAsync(user.Client, new
        {
            data = new object[]
            {
                new { connectionType = "properties", connection = ResolveKit.Statement, dataSourceId = "postgres", pathProperties = new[] { new { value = "s" }, new { value = "t" } } },
                new { connectionType = "properties", connection = ResolveKit.Statement, dataSourceId = "mysql" },
                new { connectionType = "properties", connection = ResolveKit.Statement },
                new { connectionType = "properties", connection = "CUSTOM CONNECT TO \"provider=QvRestConnector.exe;url=https://x.test;\"", dataSourceId = "postgres" },
            },
        });

        Assert.Equal(await QriOfAsync(user.Client, id) + "#s.t", items[0].GetProperty("qri").GetString());
        Assert.StartsWith("qri:db:mysql://", items[1].GetProperty("qri").GetString());
        AssertFailed(items[2], 400, 1003);
        AssertFailed(items[3], 400, 1002);
        Assert.Contains("QvRestConnector.exe", items[3].GetProperty("status").GetProperty("errorResponse").GetProperty("errorMessage").GetString());
    }

    [Fact]
    public async Task WhatTheCallerCannotSeeIsNotFoundLikeWhatDoesNotExist()
    {
        var tenant = await factory.NewTenantAsync();
        var user = await tenant.NewUserAsync();
        var stranger = await tenant.NewUserAsync();
        var theirs = await stranger.Client.NewConnectionAsync(null, "theirs", "pw");
        var other = await factory.NewTenantAsync();
        var foreign = await other.Admin.NewConnectionAsync(null, "foreign", "pw");

        var items = await GenerateAsync(user.Client, new
        {
            data = new object[]
            {
                new { connectionType = "id", connection = theirs },
                new { connectionType = "id", connection = foreign },
                new { connectionType = "id", connection = Guid.NewGuid().ToString() },
                new { connectionType = "name", connection = ":theirs" },
            },
        });

        Assert.All(items, i => AssertFailed(i, 404, 3001));
        Assert.Single(items.Select(i => i.GetProperty("status").GetProperty("errorResponse").GetProperty("errorCodeName").GetString()).Distinct());
    }

    [Fact]
    public async Task BadItemsFailInPlaceAndTheOthersSucceed()
    {
        var tenant = await factory.NewTenantAsync();
        var user = await tenant.NewUserAsync();
        var id = await user.Client.NewConnectionAsync(null, "sales", "pw");
        // A data source this service has no definition of: the parts of its kind (db) are used.
        var plain = await user.Client.NewConnectionAsync(null, "plain");

        var items = await GenerateAsync(user.Client, new
        {
            data = new object?[]
            {
                new { connectionType = "uuid", connection = id },
                new { connectionType = "id", connection = "not-a-uuid" },
                new { connectionType = "id", connection = id, pathProperties = new[] { new { name = "tabel", value = "x" } } },
                new { connectionType = "id", connection = id, pathProperties = new[] { new { value = "a" }, new { value = "b" }, new { value = "c" } } },
                new { connectionType = "id", connection = id, itemProperties = new[] { new { value = "c" } } },
                null,
                new { connectionType = "id", connection = plain, pathProperties = new[] { new { value = "s" }, new { value = "t" } }, itemProperties = new[] { new { value = "c" } } },
            },
        });

        Assert.Equal([400, 400, 400, 400, 400, 400, 200], items.Select(i => i.GetProperty("status").GetProperty("code").GetInt32()));
        Assert.All(items.Take(6), i => AssertFailed(i, 400, i.GetProperty("status").GetProperty("errorResponse").GetProperty("dcaasErrorCode").GetInt32()));
        Assert.Contains("tabel", items[2].GetProperty("status").GetProperty("errorResponse").GetProperty("errorMessage").GetString());
        Assert.EndsWith("#s.t#c", items[6].GetProperty("qri").GetString());
        Assert.True(items[6].GetProperty("isFullyQualified").GetBoolean());
    }

    [Fact]
    public async Task ADisabledDataSourceIs403ForItsItems()
    {
        var tenant = await factory.NewTenantAsync();
        var id = await tenant.Admin.NewConnectionAsync(null, "sales", "pw");
        await tenant.Admin.PutAsJsonAsync("/api/v1/data-sources/postgres/settings", new { disabled = true }).JsonAsync();

        var item = Assert.Single(await GenerateAsync(tenant.Admin, new { data = new[] { new { connectionType = "id", connection = id } } }));

        AssertFailed(item, 403, 2001);
    }

    [Fact]
    public async Task ABatchHoldsAtMostOneHundredItems()
    {
        var tenant = await factory.NewTenantAsync();
        var item = new { connectionType = "properties", connection = ResolveKit.Statement, dataSourceId = "postgres" };
        Assert.Equal(100, (await GenerateAsync(tenant.Admin, new { data = Enumerable.Repeat(item, 100) })).Length);
        var tooMany = await ApiAssert.ErrorAsync(await tenant.Admin.PostAsJsonAsync(ResolveKit.GenerateQriUrl, new { data = Enumerable.Repeat(item, 101) }), HttpStatusCode.BadRequest, "DCERROR-0014");
        Assert.Contains("100", tooMany.GetProperty("detail").GetString());
        await ApiAssert.ErrorAsync(await tenant.Admin.PostAsJsonAsync(ResolveKit.GenerateQriUrl, new { rawValues = true }), HttpStatusCode.BadRequest, "DCERROR-0013");
        Assert.Empty(await GenerateAsync(tenant.Admin, new { data = Array.Empty<object>() }));
    }
}
