using System.Net;
using Connectory.Tests.Support;

namespace Connectory.Tests.DataConnections;

public sealed class QriTests(ConnectoryFactory factory) : IClassFixture<ConnectoryFactory>
{
    async Task<string> QriOf(HttpClient client, string id) => (await client.GetConnectionAsync(id)).Str("qri");

    static async Task PatchAsync(HttpClient client, string id, params object[] operations)
    {
        var response = await client.PatchConnectionAsync(id, operations);
        Assert.True(response.StatusCode == HttpStatusCode.NoContent, await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("rest", "QvRestConnector.exe", "CUSTOM CONNECT TO \"provider=QvRestConnector.exe;url=https://h.example.test/x;\"", "qri:api:rest://")]
    [InlineData("", "QvRestConnector.exe", "CUSTOM CONNECT TO \"provider=QvRestConnector.exe;url=https://h.example.test/x;\"", "qri:api:qvrestconnector://")]
    [InlineData("SqlServer", "QvOdbcConnectorPackage.exe", "ODBC CONNECT TO [Server=db.example.test;]", "qri:db:sqlserver://")]
    [InlineData("folder", "folder", "lib://Shared/Data", "qri:file:folder://")]
    [InlineData("", "internet", "https://files.example.test/a.csv", "qri:file:internet://")]
    public async Task QriHasKindAndDatasourceAndHidesTheTarget(string datasource, string type, string statement, string prefix)
    {
        var tenant = await factory.NewTenantAsync();
        var id = await tenant.Admin.NewConnectionAsync("q", statement: statement, edit: b => { b["datasourceID"] = datasource; b["qType"] = type; });
        var qri = await QriOf(tenant.Admin, id);
        Assert.StartsWith(prefix, qri, StringComparison.Ordinal);
        Assert.Matches("^qri:[a-z]+:[a-z0-9_.-]+://[A-Za-z0-9_-]{43}$", qri);
        Assert.DoesNotContain("example", qri, StringComparison.Ordinal);
    }

    [Fact]
    public async Task QriIsStableWhileTheTargetIsUnchangedAndChangesWithTheHost()
    {
        var tenant = await factory.NewTenantAsync();
        var id = await tenant.Admin.NewConnectionAsync("stable");
        var original = await QriOf(tenant.Admin, id);

        await PatchAsync(tenant.Admin, id, new { op = "replace", path = "/qName", value = "renamed" }, new { op = "replace", path = "/tags", value = new[] { "t" } });
        Assert.Equal(original, await QriOf(tenant.Admin, id));
        await PatchAsync(tenant.Admin, id, new { op = "replace", path = "/qConnectStatement", value = "CUSTOM CONNECT TO \"provider=QvRestConnector.exe;url=https://api.example.test/v1;method=POST;\"" });
        Assert.Equal(original, await QriOf(tenant.Admin, id));
        // The same target in another connection of the tenant has the same QRI.
        var twin = await tenant.Admin.NewConnectionAsync("twin");
        Assert.Equal(original, await QriOf(tenant.Admin, twin));

        await PatchAsync(tenant.Admin, id, new { op = "replace", path = "/qConnectStatement", value = ConnectionApi.RestStatement("moved.example.test") });
        var moved = await QriOf(tenant.Admin, id);
        Assert.NotEqual(original, moved);
        Assert.StartsWith("qri:api:rest://", moved, StringComparison.Ordinal);
        // Back to the old host gives the old QRI again.
        await PatchAsync(tenant.Admin, id, new { op = "replace", path = "/qConnectStatement", value = ConnectionApi.RestStatement() });
        Assert.Equal(original, await QriOf(tenant.Admin, id));
    }

    [Fact]
    public async Task SameTargetInAnotherTenantHasAnotherQri()
    {
        var a = await factory.NewTenantAsync();
        var b = await factory.NewTenantAsync();
        var inA = await a.Admin.NewConnectionAsync("same");
        var inB = await b.Admin.NewConnectionAsync("same");
        Assert.NotEqual(await QriOf(a.Admin, inA), await QriOf(b.Admin, inB));
    }

    [Fact]
    public async Task QriIsListedOnRequestAndFilterable()
    {
        var tenant = await factory.NewTenantAsync();
        var first = await tenant.Admin.NewConnectionAsync("first");
        await tenant.Admin.NewConnectionAsync("second", statement: ConnectionApi.RestStatement("second.example.test"));
        var qri = await QriOf(tenant.Admin, first);

        var listed = await tenant.Admin.ListAsync("noDatafiles=true&includeQris=true");
        Assert.All(listed.GetProperty("data").EnumerateArray(), c => Assert.StartsWith("qri:", c.Str("qri"), StringComparison.Ordinal));
        var withoutQris = await tenant.Admin.ListAsync("noDatafiles=true");
        Assert.All(withoutQris.GetProperty("data").EnumerateArray(), c => Assert.False(c.TryGetProperty("qri", out _)));

        var tail = qri[^20..];
        Assert.Equal(["first"], (await tenant.Admin.ListAsync("noDatafiles=true&filter=" + Uri.EscapeDataString($"qri co \"{tail}\""))).Names());
        Assert.Equal(["first"], (await tenant.Admin.ListAsync("noDatafiles=true&filter=" + Uri.EscapeDataString($"qri eq \"{qri}\""))).Names());
        Assert.Equal(["first", "second"], (await tenant.Admin.ListAsync("noDatafiles=true&filter=" + Uri.EscapeDataString("qri sw \"qri:api:rest://\""))).Names());
    }
}
