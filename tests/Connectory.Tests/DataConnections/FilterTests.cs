using System.Net;
using Connectory.Tests.Support;

namespace Connectory.Tests.DataConnections;

public sealed class FilterTests(ConnectoryFactory factory) : IClassFixture<ConnectoryFactory>
{
    static async Task<List<string>> Filtered(HttpClient client, string filter, string extra = "") =>
        (await client.ListAsync($"noDatafiles=true&filter={Uri.EscapeDataString(filter)}{extra}")).Names();

    async Task<TestTenant> TenantWithAsync(params string[] names)
    {
        var tenant = await factory.NewTenantAsync();
        foreach (var name in names)
        {
            await tenant.Admin.NewConnectionAsync(name);
        }
        return tenant;
    }

    [Fact]
    public async Task EveryComparisonOperatorWorksOnNames()
    {
        var tenant = await TenantWithAsync("alpha", "beta", "gamma", "alphabet");
        var c = tenant.Admin;
        Assert.Equal(["alpha"], await Filtered(c, "qName eq \"alpha\""));
        Assert.Equal(["alphabet", "beta", "gamma"], await Filtered(c, "qName ne \"alpha\""));
        Assert.Equal(["alpha", "alphabet", "beta"], await Filtered(c, "qName co \"bet\" or qName eq \"alpha\""));
        Assert.Equal(["alphabet", "beta"], await Filtered(c, "qName co \"bet\""));
        Assert.Equal(["alpha", "alphabet"], await Filtered(c, "qName sw \"alp\""));
        Assert.Equal(["alpha", "beta", "gamma"], await Filtered(c, "qName ew \"a\""));
        Assert.Equal(["alpha", "alphabet", "beta", "gamma"], await Filtered(c, "qName pr"));
        Assert.Equal(["beta", "gamma"], await Filtered(c, "qName gt \"alphabet\""));
        Assert.Equal(["alphabet", "beta", "gamma"], await Filtered(c, "qName ge \"alphabet\""));
        Assert.Equal(["alpha"], await Filtered(c, "qName lt \"alphabet\""));
        Assert.Equal(["alpha", "alphabet"], await Filtered(c, "qName le \"alphabet\""));
    }

    [Fact]
    public async Task OperatorsKeywordsAndValuesIgnoreCase()
    {
        var tenant = await TenantWithAsync("Sales DB", "sales-archive", "Finance");
        var c = tenant.Admin;
        Assert.Equal(["Sales DB"], await Filtered(c, "qName EQ \"SALES db\""));
        Assert.Equal(["Sales DB", "sales-archive"], await Filtered(c, "QNAME sw \"SALES\""));
        Assert.Equal(["Finance"], await Filtered(c, "NOT (qName sw \"sales\")"));
        Assert.Equal(["Finance", "Sales DB"], await Filtered(c, "qName co \"NANCE\" OR qName ew \" db\""));
    }

    [Fact]
    public async Task LogicalOperatorsFollowPrecedenceAndParentheses()
    {
        var tenant = await factory.NewTenantAsync();
        await tenant.Admin.NewConnectionAsync("a1", edit: b => b["qType"] = "x");
        await tenant.Admin.NewConnectionAsync("a2", edit: b => b["qType"] = "y");
        await tenant.Admin.NewConnectionAsync("b1", edit: b => b["qType"] = "x");
        var c = tenant.Admin;
        // and binds tighter than or.
        Assert.Equal(["a1", "a2"], await Filtered(c, "qName sw \"a\" and qType eq \"x\" or qName eq \"a2\""));
        Assert.Equal(["a1", "b1"], await Filtered(c, "qType eq \"x\" and (qName sw \"a\" or qName sw \"b\")"));
        Assert.Equal(["a1"], await Filtered(c, "(qType eq \"x\") and not (qName eq \"b1\")"));
        Assert.Equal(["a2", "b1"], await Filtered(c, "not (qName eq \"a1\")"));
        Assert.Equal(["a1", "a2", "b1"], await Filtered(c, "((qName pr))"));
    }

    [Fact]
    public async Task QuotedStringsUnescapeAndWildcardsAreLiteral()
    {
        var tenant = await TenantWithAsync("say \"hi\"", "back\\slash", "100% sure", "under_score", "underXscore", "slash/here", "café");
        var c = tenant.Admin;
        Assert.Equal(["say \"hi\""], await Filtered(c, "qName eq \"say \\\"hi\\\"\""));
        Assert.Equal(["back\\slash"], await Filtered(c, "qName eq \"back\\\\slash\""));
        Assert.Equal(["100% sure"], await Filtered(c, "qName co \"%\""));
        Assert.Equal(["under_score"], await Filtered(c, "qName co \"_\""));
        // Names refuse control characters, so the \/ escape stands for the escapes a name can hold.
        Assert.Equal(["slash/here"], await Filtered(c, "qName eq \"slash\\/here\""));
        Assert.Equal(["café"], await Filtered(c, "qName eq \"caf\\u00e9\""));
        Assert.Equal(["café"], await Filtered(c, "qName eq \"CAFÉ\""));
        Assert.Equal(["back\\slash"], await Filtered(c, "qName co \"\\\\\""));
    }

    [Fact]
    public async Task NullMatchesEmptyValuesAndBooleansAreNotStrings()
    {
        var tenant = await factory.NewTenantAsync();
        await tenant.Admin.NewConnectionAsync("no-source", edit: b => b["datasourceID"] = "");
        await tenant.Admin.NewConnectionAsync("with-source");
        var c = tenant.Admin;
        Assert.Equal(["no-source"], await Filtered(c, "datasourceID eq null"));
        Assert.Equal(["with-source"], await Filtered(c, "datasourceID ne null"));
        Assert.Equal(["with-source"], await Filtered(c, "datasourceID pr"));
        Assert.Empty(await Filtered(c, "qName eq null"));
        var error = await ApiAssert.ErrorAsync(await c.GetAsync($"{ConnectionApi.Path}?filter={Uri.EscapeDataString("qName eq true")}"), HttpStatusCode.BadRequest);
        Assert.Contains("qName", error.Detail(), StringComparison.Ordinal);
        await ApiAssert.ErrorAsync(await c.GetAsync($"{ConnectionApi.Path}?filter={Uri.EscapeDataString("qName eq false")}"), HttpStatusCode.BadRequest);
        await ApiAssert.ErrorAsync(await c.GetAsync($"{ConnectionApi.Path}?filter={Uri.EscapeDataString("qName gt null")}"), HttpStatusCode.BadRequest);
        await ApiAssert.ErrorAsync(await c.GetAsync($"{ConnectionApi.Path}?filter={Uri.EscapeDataString("qName eq 12")}"), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task TypeDatasourceAndQriAreFilterable()
    {
        var tenant = await factory.NewTenantAsync();
        await tenant.Admin.NewConnectionAsync("rest-one");
        await tenant.Admin.NewConnectionAsync("odbc-one", statement: "ODBC CONNECT TO [Driver={SQL Server};Server=db.example.test;Database=sales;]",
            edit: b => { b["qType"] = "QvOdbcConnectorPackage.exe"; b["datasourceID"] = "SqlServer"; });
        var c = tenant.Admin;
        Assert.Equal(["odbc-one"], await Filtered(c, "qType eq \"qvodbcconnectorpackage.exe\""));
        Assert.Equal(["odbc-one"], await Filtered(c, "datasourceID eq \"SQLSERVER\""));
        Assert.Equal(["rest-one"], await Filtered(c, "datasourceID sw \"RE\""));
        Assert.Equal(["rest-one"], await Filtered(c, "qri sw \"qri:api:rest://\""));
        Assert.Equal(["odbc-one"], await Filtered(c, "qri co \":db:\""));
    }

    [Fact]
    public async Task CreatedAndUpdatedCompareWithRfc3339Times()
    {
        var tenant = await factory.NewTenantAsync();
        var firstId = await tenant.Admin.NewConnectionAsync("first");
        var first = await tenant.Admin.GetConnectionAsync(firstId);
        factory.Clock.Offset += TimeSpan.FromMinutes(5);
        var secondId = await tenant.Admin.NewConnectionAsync("second");
        var second = await tenant.Admin.GetConnectionAsync(secondId);
        var c = tenant.Admin;
        var t1 = first.Str("created");
        var t2 = second.Str("created");
        var between = DateTime.Parse(t1, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AdjustToUniversal)
            .AddMinutes(2).ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);

        Assert.Equal(["first"], await Filtered(c, $"created eq \"{t1}\""));
        Assert.Equal(["second"], await Filtered(c, $"created ne \"{t1}\""));
        Assert.Equal(["second"], await Filtered(c, $"created gt \"{between}\""));
        Assert.Equal(["first", "second"], await Filtered(c, $"created ge \"{t1}\""));
        Assert.Equal(["first"], await Filtered(c, $"created lt \"{between}\""));
        Assert.Equal(["first", "second"], await Filtered(c, $"created le \"{t2}\""));
        Assert.Equal(["second"], await Filtered(c, $"updated gt \"{between}\" and updated le \"{t2}\""));
        // An offset other than Z names the same instant.
        var shifted = DateTimeOffset.Parse(between, System.Globalization.CultureInfo.InvariantCulture).ToOffset(TimeSpan.FromHours(2))
            .ToString("yyyy-MM-ddTHH:mm:sszzz", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(["second"], await Filtered(c, $"created gt \"{shifted}\""));

        foreach (var bad in new[] { "created gt \"yesterday\"", "created gt \"2024-01-01\"", "created co \"2024\"", "updated eq 5" })
        {
            var error = await ApiAssert.ErrorAsync(await c.GetAsync($"{ConnectionApi.Path}?filter={Uri.EscapeDataString(bad)}"), HttpStatusCode.BadRequest);
            Assert.Contains("filter", error.Detail(), StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("name eq \"x\"", "'name'", "position 0")]
    [InlineData("qName eq \"x\" and owner eq \"y\"", "'owner'", "position 17")]
    [InlineData("qName eq \"x", "not closed", "position 9")]
    [InlineData("qName equals \"x\"", "'equals'", "position 6")]
    [InlineData("qName eq x", "double quotes", "position 9")]
    [InlineData("(qName eq \"x\"", "')'", "position 13")]
    [InlineData("qName eq \"x\" qType eq \"y\"", "Unexpected", "position 13")]
    [InlineData("qName eq \"\\q\"", "escape", "position 10")]
    [InlineData("qName", "operator", "")]
    [InlineData("and", "", "")]
    public async Task BadFilterIsRejectedSayingWhatAndWhere(string filter, string what, string where)
    {
        var tenant = await factory.NewTenantAsync();
        var error = await ApiAssert.ErrorAsync(await tenant.Admin.GetAsync($"{ConnectionApi.Path}?filter={Uri.EscapeDataString(filter)}"), HttpStatusCode.BadRequest);
        var detail = error.Detail();
        Assert.StartsWith("filter", detail, StringComparison.Ordinal);
        Assert.Contains(what, detail, StringComparison.Ordinal);
        Assert.Contains(where, detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeepAndLongFiltersAreRejectedNotCrashed()
    {
        var tenant = await factory.NewTenantAsync();
        var deep = new string('(', 200) + "qName pr" + new string(')', 200);
        await ApiAssert.ErrorAsync(await tenant.Admin.GetAsync($"{ConnectionApi.Path}?filter={Uri.EscapeDataString(deep)}"), HttpStatusCode.BadRequest);
        var longOr = string.Join(" or ", Enumerable.Range(0, 400).Select(i => $"qName eq \"n{i}\""));
        var response = await tenant.Admin.GetAsync($"{ConnectionApi.Path}?filter={Uri.EscapeDataString(longOr)}");
        Assert.True((int)response.StatusCode < 500, await response.Content.ReadAsStringAsync());
        var manyOr = string.Join(" or ", Enumerable.Range(0, 150).Select(i => $"qName eq \"n{i}\""));
        await tenant.Admin.NewConnectionAsync("n149");
        Assert.Equal(["n149"], await Filtered(tenant.Admin, manyOr));
    }

    [Fact]
    public async Task FilterCombinesWithPagingAndCount()
    {
        var tenant = await factory.NewTenantAsync();
        for (var i = 0; i < 7; i++)
        {
            await tenant.Admin.NewConnectionAsync($"keep-{i}");
            await tenant.Admin.NewConnectionAsync($"drop-{i}");
        }
        var filter = Uri.EscapeDataString("qName sw \"keep\"");
        var first = await tenant.Admin.ListAsync($"filter={filter}&limit=3&noDatafiles=true");
        Assert.Equal(7, first.GetProperty("meta").GetProperty("count").GetInt32());
        var all = await tenant.Admin.WalkAsync($"filter={filter}&limit=3&noDatafiles=true");
        Assert.Equal(Enumerable.Range(0, 7).Select(i => $"keep-{i}"), all.Names());
    }

    [Fact]
    public async Task NonAsciiNamesMatchIgnoringCase()
    {
        var tenant = await factory.NewTenantAsync();
        await tenant.Admin.NewConnectionAsync("Ärger", edit: b => { b["qType"] = "Über.exe"; b["datasourceID"] = "Ωmega"; });
        await tenant.Admin.NewConnectionAsync("plain");
        var c = tenant.Admin;
        Assert.Equal(["Ärger"], await Filtered(c, "qName eq \"ärger\""));
        Assert.Equal(["Ärger"], await Filtered(c, "qName sw \"ÄR\""));
        // Exact case always matches; qType and datasourceID fold non-ASCII case only where the database's lower() does.
        Assert.Equal(["Ärger"], await Filtered(c, "qType eq \"Über.EXE\""));
        Assert.Equal(["Ärger"], await Filtered(c, "datasourceID co \"Ωm\""));
        if (TestDatabase.IsPostgres)
        {
            Assert.Equal(["Ärger"], await Filtered(c, "qType sw \"über\""));
            Assert.Equal(["Ärger"], await Filtered(c, "datasourceID eq \"ωMEGA\""));
        }
    }

    [Fact]
    public async Task PresenceAndNegationOfTimesAndMixedFieldsWork()
    {
        var tenant = await TenantWithAsync("one", "two");
        var c = tenant.Admin;
        Assert.Equal(["one", "two"], await Filtered(c, "created pr"));
        Assert.Empty(await Filtered(c, "not (updated pr)"));
        Assert.Equal(["two"], await Filtered(c, "not (qName eq \"one\") and created pr"));
        Assert.Equal(["one", "two"], await Filtered(c, "qName eq \"one\" or created gt \"2000-01-01T00:00:00Z\""));
        Assert.Equal(["one", "two"], await Filtered(c, "created gt \"2000-01-01T00:00:00.123456Z\""));
        Assert.Empty(await Filtered(c, "created lt \"2000-01-01T00:00:00+14:00\""));
    }
}
