using System.Net;
using Connectory.Tests.Support;

namespace Connectory.Tests.DataConnections;

public sealed class ListTests(ConnectoryFactory factory) : IClassFixture<ConnectoryFactory>
{
    [Fact]
    public async Task ListCountsEveryMatchAndLinksAreAbsolute()
    {
        var tenant = await factory.NewTenantAsync();
        foreach (var name in new[] { "one", "two", "three" })
        {
            await tenant.Admin.NewConnectionAsync(name);
        }
        var page = await tenant.Admin.ListAsync("limit=2&noDatafiles=true");
        Assert.Equal(2, page.GetProperty("data").GetArrayLength());
        Assert.Equal(3, page.GetProperty("meta").GetProperty("count").GetInt32());
        var links = page.GetProperty("links");
        foreach (var link in new[] { "self", "next" })
        {
            var href = links.GetProperty(link).Str("href");
            Assert.True(Uri.TryCreate(href, UriKind.Absolute, out var uri), href);
            Assert.Equal(factory.BaseAddress.Authority, uri!.Authority);
        }
        Assert.Contains("limit=2", links.GetProperty("self").Str("href"), StringComparison.Ordinal);
        Assert.False(links.TryGetProperty("prev", out _));
        var second = await tenant.Admin.GetAsync(links.GetProperty("next").Str("href")).JsonAsync();
        Assert.Equal(["two"], second.Names());
        Assert.Equal(3, second.GetProperty("meta").GetProperty("count").GetInt32());
        Assert.True(second.GetProperty("links").TryGetProperty("prev", out _));
    }

    [Fact]
    public async Task APageLargerThanItsFirstBufferIsWrittenWholeWithItsLength()
    {
        // 40 rows of 3 KB statements: a page of about 130 KB, twice the buffer a page starts with.
        var tenant = await factory.NewTenantAsync();
        var path = new string('p', 3000);
        for (var i = 0; i < 40; i++)
        {
            await tenant.Admin.CreateAsync(ConnectionApi.Body($"big-{i:D2}", statement: ConnectionApi.RestStatement($"api.example.test/{path}/{i}")));
        }
        var response = await tenant.Admin.GetAsync($"{ConnectionApi.Path}?limit=100&noDatafiles=true");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadAsByteArrayAsync();
        Assert.True(body.Length > 128 * 1024, body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(body.Length, response.Content.Headers.ContentLength);
        var page = System.Text.Json.JsonDocument.Parse(body).RootElement;
        var streamed = await tenant.Admin.ListAsync("noDatafiles=true");
        Assert.Equal(streamed.GetProperty("data").ToString(), page.GetProperty("data").ToString());
        Assert.Equal(Enumerable.Range(0, 40).Select(i => $"big-{i:D2}"), page.Names());
    }

    [Fact]
    public async Task WithoutLimitEveryConnectionIsReturned()
    {
        var tenant = await factory.NewTenantAsync();
        for (var i = 0; i < 105; i++)
        {
            await tenant.Admin.NewConnectionAsync($"c{i:D3}");
        }
        var all = await tenant.Admin.ListAsync("noDatafiles=true");
        Assert.Equal(105, all.GetProperty("data").GetArrayLength());
        Assert.Equal(105, all.GetProperty("meta").GetProperty("count").GetInt32());
        Assert.False(all.GetProperty("links").TryGetProperty("next", out _));
        var withFiles = await tenant.Admin.ListAsync("");
        Assert.Equal(106, withFiles.GetProperty("data").GetArrayLength());
        Assert.Equal(106, withFiles.GetProperty("meta").GetProperty("count").GetInt32());
    }

    [Theory]
    [InlineData("0")]
    [InlineData("101")]
    [InlineData("-5")]
    public async Task LimitOutsideOneToHundredIsRejected(string limit)
    {
        var tenant = await factory.NewTenantAsync();
        var error = await ApiAssert.ErrorAsync(await tenant.Admin.GetAsync($"{ConnectionApi.Path}?limit={limit}"), HttpStatusCode.BadRequest);
        Assert.Contains("limit", error.Detail(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task LimitOfOneAndHundredAreAccepted()
    {
        var tenant = await factory.NewTenantAsync();
        await tenant.Admin.NewConnectionAsync("a");
        await tenant.Admin.NewConnectionAsync("b");
        Assert.Single((await tenant.Admin.ListAsync("limit=1&noDatafiles=true")).GetProperty("data").EnumerateArray());
        Assert.Equal(2, (await tenant.Admin.ListAsync("limit=100&noDatafiles=true")).GetProperty("data").GetArrayLength());
    }

    [Fact]
    public async Task SortsByEveryDocumentedFieldBothWays()
    {
        var tenant = await factory.NewTenantAsync();
        var rows = new[] { ("b-name", "zType", "ds-a"), ("c-name", "aType", "ds-c"), ("a-name", "mType", "ds-b") };
        var ids = new List<string>();
        foreach (var (name, type, ds) in rows)
        {
            ids.Add(await tenant.Admin.NewConnectionAsync(name, edit: b => { b["qType"] = type; b["datasourceID"] = ds; }));
            factory.Clock.Offset += TimeSpan.FromSeconds(1);
        }
        async Task<List<string>> Sorted(string sort) => (await tenant.Admin.ListAsync($"noDatafiles=true&sort={Uri.EscapeDataString(sort)}")).Names();

        Assert.Equal(["a-name", "b-name", "c-name"], await Sorted("qName"));
        Assert.Equal(["a-name", "b-name", "c-name"], await Sorted("+qName"));
        Assert.Equal(["c-name", "b-name", "a-name"], await Sorted("-qName"));
        Assert.Equal(["c-name", "a-name", "b-name"], await Sorted("+qType"));
        Assert.Equal(["b-name", "a-name", "c-name"], await Sorted("-qType"));
        Assert.Equal(["b-name", "a-name", "c-name"], await Sorted("+datasourceID"));
        Assert.Equal(["c-name", "a-name", "b-name"], await Sorted("-datasourceID"));
        Assert.Equal(["b-name", "c-name", "a-name"], await Sorted("+created"));
        Assert.Equal(["a-name", "c-name", "b-name"], await Sorted("-created"));

        // Touching the first one makes it the most recently updated.
        factory.Clock.Offset += TimeSpan.FromSeconds(1);
        var patched = await tenant.Admin.PatchConnectionAsync(ids[0], new[] { new { op = "replace", path = "/tags", value = new[] { "t" } } });
        Assert.Equal(HttpStatusCode.NoContent, patched.StatusCode);
        Assert.Equal(["c-name", "a-name", "b-name"], await Sorted("+updated"));
        Assert.Equal(["b-name", "a-name", "c-name"], await Sorted("-updated"));

        var byId = ids.Order(StringComparer.Ordinal).ToList();
        Assert.Equal(byId, (await tenant.Admin.ListAsync("noDatafiles=true&sort=_id")).GetProperty("data").EnumerateArray().Ids());
        byId.Reverse();
        Assert.Equal(byId, (await tenant.Admin.ListAsync("noDatafiles=true&sort=-_id")).GetProperty("data").EnumerateArray().Ids());
    }

    [Theory]
    [InlineData("name")]
    [InlineData("+qname2")]
    [InlineData("*qName")]
    [InlineData("qri")]
    public async Task UnknownSortIsRejected(string sort)
    {
        var tenant = await factory.NewTenantAsync();
        var error = await ApiAssert.ErrorAsync(await tenant.Admin.GetAsync($"{ConnectionApi.Path}?sort={Uri.EscapeDataString(sort)}"), HttpStatusCode.BadRequest);
        Assert.Contains("sort", error.Detail(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CaseInsensitiveSortIgnoresCase()
    {
        var tenant = await factory.NewTenantAsync();
        foreach (var name in new[] { "beta", "Alpha", "Charlie", "alpha2", "Bravo" })
        {
            await tenant.Admin.NewConnectionAsync(name);
        }
        Assert.Equal(["Alpha", "alpha2", "beta", "Bravo", "Charlie"], (await tenant.Admin.ListAsync("noDatafiles=true&caseinsensitive=true&locale=en_US")).Names());
        Assert.Equal(["Charlie", "Bravo", "beta", "alpha2", "Alpha"], (await tenant.Admin.ListAsync("noDatafiles=true&caseinsensitive=true&sort=-qName")).Names());
        await ApiAssert.ErrorAsync(await tenant.Admin.GetAsync($"{ConnectionApi.Path}?caseinsensitive=true&locale=xx_NOPE_1"), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task SpaceIdAndPersonalNarrowTheList()
    {
        var tenant = await factory.NewTenantAsync();
        var space = await tenant.NewSpaceAsync("shared");
        await tenant.Admin.NewConnectionAsync("in-space", space);
        await tenant.Admin.NewConnectionAsync("personal-one");
        Assert.Equal(["in-space"], (await tenant.Admin.ListAsync($"spaceId={space}&noDatafiles=true")).Names());
        Assert.Equal(["personal-one"], (await tenant.Admin.ListAsync("personal=true&noDatafiles=true")).Names());
        Assert.Equal(["in-space", "personal-one"], (await tenant.Admin.ListAsync("noDatafiles=true")).Names());
    }

    [Fact]
    public async Task OwnedByMeAndOwnerAndUserIdNarrowTheList()
    {
        var tenant = await factory.NewTenantAsync();
        var space = await tenant.NewSpaceAsync("shared");
        var producer = await tenant.NewUserAsync();
        await tenant.AssignAsync(space, producer.Id, "producer");
        await tenant.Admin.NewConnectionAsync("admins", space, edit: b => b["owner"] = "app-1");
        await producer.Client.NewConnectionAsync("producers", space);

        Assert.Equal(["admins", "producers"], (await producer.Client.ListAsync("noDatafiles=true")).Names());
        Assert.Equal(["producers"], (await producer.Client.ListAsync("noDatafiles=true&ownedByMe=true")).Names());
        Assert.Equal(["admins"], (await producer.Client.ListAsync("owner=app-1")).Names());
        Assert.Equal(["producers"], (await tenant.Admin.ListAsync($"userId={producer.Id}")).Names());
        Assert.Equal(["producers"], (await producer.Client.ListAsync($"userId={producer.Id}&noDatafiles=true")).Names());

        var error = await ApiAssert.ErrorAsync(await producer.Client.GetAsync($"{ConnectionApi.Path}?userId={tenant.AdminUserId}"), HttpStatusCode.Forbidden, "DCERROR-0030");
        Assert.Contains("userId", error.Detail(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task IncludeQrisAddsQriAndDataNameRenamesTheArray()
    {
        var tenant = await factory.NewTenantAsync();
        await tenant.Admin.NewConnectionAsync("q");
        var plain = await tenant.Admin.ListAsync("noDatafiles=true&extended=true");
        Assert.False(plain.GetProperty("data")[0].TryGetProperty("qri", out _));
        var withQri = await tenant.Admin.ListAsync("noDatafiles=true&includeQris=true");
        Assert.StartsWith("qri:api:rest://", withQri.GetProperty("data")[0].Str("qri"), StringComparison.Ordinal);

        var renamed = await tenant.Admin.ListAsync("noDatafiles=true&dataName=connections&limit=5");
        Assert.False(renamed.TryGetProperty("data", out _));
        Assert.Equal(["q"], renamed.Names("connections"));
        Assert.Equal(1, renamed.GetProperty("meta").GetProperty("count").GetInt32());
        Assert.Equal(["q"], (await tenant.Admin.ListAsync("noDatafiles=true&dataName=items")).Names("items"));
    }

    [Theory]
    [InlineData("dataName=")]
    [InlineData("dataName=%20")]
    public async Task EmptyDataNameIsRejected(string query)
    {
        var tenant = await factory.NewTenantAsync();
        var error = await ApiAssert.ErrorAsync(await tenant.Admin.GetAsync($"{ConnectionApi.Path}?{query}"), HttpStatusCode.BadRequest);
        Assert.Contains("dataName", error.Detail(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PrivilegesFollowTheCallersRightsPerConnection()
    {
        var tenant = await factory.NewTenantAsync();
        var space = await tenant.NewSpaceAsync("shared");
        var producer = await tenant.NewUserAsync();
        var consumer = await tenant.NewUserAsync();
        await tenant.AssignAsync(space, producer.Id, "producer");
        await tenant.AssignAsync(space, consumer.Id, "dataconsumer");
        await tenant.Admin.NewConnectionAsync("admins", space);
        await producer.Client.NewConnectionAsync("producers", space);

        Dictionary<string, List<string>> Privileges(System.Text.Json.JsonElement page) =>
            page.GetProperty("data").EnumerateArray().ToDictionary(c => c.Str("qName"), c => c.GetProperty("privileges").Strings());

        var asProducer = Privileges(await producer.Client.ListAsync("noDatafiles=true"));
        Assert.Equal(["list", "read"], asProducer["admins"]);
        Assert.Equal(["list", "read", "update", "delete"], asProducer["producers"]);
        var asConsumer = Privileges(await consumer.Client.ListAsync("noDatafiles=true"));
        Assert.Equal(["list", "read"], asConsumer["admins"]);
        Assert.Equal(["list", "read"], asConsumer["producers"]);
        var asAdmin = Privileges(await tenant.Admin.ListAsync("noDatafiles=true"));
        Assert.Equal(["list", "read", "update", "delete", "change_owner", "change_space"], asAdmin["producers"]);
    }

    [Fact]
    public async Task OtherUsersPersonalConnectionsAndOtherTenantsAreNotListed()
    {
        var tenant = await factory.NewTenantAsync();
        var other = await factory.NewTenantAsync();
        var user = await tenant.NewUserAsync();
        await tenant.Admin.NewConnectionAsync("admins-personal");
        await user.Client.NewConnectionAsync("users-personal");
        await other.Admin.NewConnectionAsync("other-tenant");
        Assert.Equal(["users-personal"], (await user.Client.ListAsync("noDatafiles=true")).Names());
        Assert.DoesNotContain("other-tenant", (await tenant.Admin.ListAsync("noDatafiles=true")).Names());
    }

    [Fact]
    public async Task LocaleDecidesTheCaseInsensitiveNameOrder()
    {
        var tenant = await factory.NewTenantAsync();
        foreach (var name in new[] { "Zebra", "Örn", "apa", "Ödla", "Ärlig", "Åsa", "ost" })
        {
            await tenant.Admin.NewConnectionAsync(name);
        }
        string[] english = ["apa", "Ärlig", "Åsa", "Ödla", "Örn", "ost", "Zebra"];
        string[] swedish = ["apa", "ost", "Zebra", "Åsa", "Ärlig", "Ödla", "Örn"];
        Assert.Equal(english, (await tenant.Admin.ListAsync("noDatafiles=true&caseinsensitive=true")).Names());
        Assert.Equal(english, (await tenant.Admin.ListAsync("noDatafiles=true&caseinsensitive=true&locale=en_US")).Names());
        Assert.Equal(swedish, (await tenant.Admin.ListAsync("noDatafiles=true&caseinsensitive=true&locale=sv")).Names());
        Assert.Equal(swedish.Reverse(), (await tenant.Admin.ListAsync("noDatafiles=true&caseinsensitive=true&locale=sv_SE&sort=-qName")).Names());
        foreach (var limit in new[] { 1, 2, 3 })
        {
            Assert.Equal(swedish, (await tenant.Admin.WalkAsync($"noDatafiles=true&caseinsensitive=true&locale=sv&limit={limit}")).Names());
            Assert.Equal(swedish.Reverse(), (await tenant.Admin.WalkAsync($"noDatafiles=true&caseinsensitive=true&locale=sv&sort=-qName&limit={limit}")).Names());
        }
        // Pages walk back too, and a token from one locale is not valid for another.
        var first = await tenant.Admin.ListAsync("caseinsensitive=true&locale=sv&limit=3");
        var second = await tenant.Admin.GetAsync(first.GetProperty("links").GetProperty("next").Str("href")).JsonAsync();
        Assert.Equal(["Åsa", "Ärlig", "Ödla"], second.Names());
        var back = await tenant.Admin.GetAsync(second.GetProperty("links").GetProperty("prev").Str("href")).JsonAsync();
        Assert.Equal(["apa", "ost", "Zebra"], back.Names());
        var token = System.Web.HttpUtility.ParseQueryString(new Uri(first.GetProperty("links").GetProperty("next").Str("href")).Query)["page"]!;
        await ApiAssert.ErrorAsync(await tenant.Admin.GetAsync($"{ConnectionApi.Path}?caseinsensitive=true&locale=en&limit=3&page={token}"), HttpStatusCode.BadRequest);
        // The locale is for case-insensitive sorting only.
        Assert.Equal(english.Order(StringComparer.Ordinal), (await tenant.Admin.ListAsync("noDatafiles=true&locale=sv&sort=_id")).Names().Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task AnUnencodedPlusInSortStillMeansAscending()
    {
        var tenant = await factory.NewTenantAsync();
        await tenant.Admin.NewConnectionAsync("b");
        await tenant.Admin.NewConnectionAsync("a");
        // In a query string '+' decodes to a space: "sort=+qName" typed by hand arrives as " qName".
        Assert.Equal(["a", "b"], (await tenant.Admin.ListAsync("noDatafiles=true&sort=+qName")).Names());
        Assert.Equal(["b", "a"], (await tenant.Admin.ListAsync("noDatafiles=true&sort=-qName")).Names());
        var pageOne = await tenant.Admin.ListAsync("noDatafiles=true&sort=+qName&limit=1");
        var pageTwo = await tenant.Admin.GetAsync(pageOne.GetProperty("links").GetProperty("next").Str("href")).JsonAsync();
        Assert.Equal(["b"], pageTwo.Names());
    }
}
