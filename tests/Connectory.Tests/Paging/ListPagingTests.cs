using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Web;
using Connectory.Tests.DataConnections;
using Connectory.Tests.Support;

namespace Connectory.Tests.Paging;

/// <summary>The paging every list shares: signed tokens bound to their list, query and caller; repeated parameters.</summary>
public sealed class ListPagingTests(ConnectoryFactory factory) : IClassFixture<ConnectoryFactory>
{
    /// <summary>A list, its token parameters and the field its rows are identified by.</summary>
    sealed record ListKind(string Name, string Next, string Prev, string IdField);

    static readonly Dictionary<string, ListKind> Lists = new()
    {
        ["users"] = new("users", "next", "prev", "id"),
        ["spaces"] = new("spaces", "next", "prev", "id"),
        ["assignments"] = new("assignments", "next", "prev", "id"),
        ["api-keys"] = new("api-keys", "startingAfter", "endingBefore", "id"),
        ["data-connections"] = new("data-connections", "page", "page", "qID"),
    };

    /// <summary>A tenant with at least five rows in <paramref name="list"/>; returns the list's path.</summary>
    async Task<(TestTenant Tenant, string Path)> SeedAsync(string list)
    {
        var tenant = await factory.NewTenantAsync();
        switch (list)
        {
            case "users":
                for (var i = 0; i < 4; i++)
                {
                    await tenant.NewUserAsync();
                }
                return (tenant, "/api/v1/users");
            case "spaces":
                for (var i = 0; i < 5; i++)
                {
                    await tenant.NewSpaceAsync("shared");
                }
                return (tenant, "/api/v1/spaces");
            case "assignments":
                var space = await tenant.NewSpaceAsync("shared");
                for (var i = 0; i < 5; i++)
                {
                    await tenant.AssignAsync(space, (await tenant.NewUserAsync()).Id, "consumer");
                }
                return (tenant, $"/api/v1/spaces/{space}/assignments");
            case "api-keys":
                for (var i = 0; i < 5; i++)
                {
                    Assert.Equal(HttpStatusCode.Created, (await tenant.Admin.PostAsJsonAsync("/api/v1/api-keys", new { description = $"key {i}" })).StatusCode);
                }
                return (tenant, "/api/v1/api-keys");
            default:
                for (var i = 0; i < 5; i++)
                {
                    await tenant.Admin.NewConnectionAsync($"c{i}");
                }
                return (tenant, "/api/v1/data-connections");
        }
    }

    static List<string> Ids(JsonElement page, ListKind kind) =>
        page.GetProperty("data").EnumerateArray().Select(e => e.GetProperty(kind.IdField).GetString()!).ToList();

    static string? Href(JsonElement page, string rel) =>
        page.GetProperty("links").TryGetProperty(rel, out var link) ? link.GetProperty("href").GetString() : null;

    static string Token(string href, string parameter) => HttpUtility.ParseQueryString(new Uri(href).Query)[parameter]!;

    static string Join(string path, string query) => path + (path.Contains('?', StringComparison.Ordinal) ? "&" : "?") + query;

    [Theory]
    [InlineData("users")]
    [InlineData("spaces")]
    [InlineData("assignments")]
    [InlineData("api-keys")]
    [InlineData("data-connections")]
    public async Task NextAndPrevLinksRoundTrip(string list)
    {
        var kind = Lists[list];
        var (tenant, path) = await SeedAsync(list);
        var first = await tenant.Admin.GetAsync(Join(path, "limit=2")).JsonAsync();
        Assert.Equal(2, Ids(first, kind).Count);
        Assert.Null(Href(first, "prev"));
        var nextHref = Href(first, "next")!;
        Assert.NotNull(Token(nextHref, kind.Next));
        var second = await tenant.Admin.GetAsync(nextHref).JsonAsync();
        Assert.Equal(2, Ids(second, kind).Count);
        Assert.Empty(Ids(first, kind).Intersect(Ids(second, kind)));
        var prevHref = Href(second, "prev")!;
        Assert.NotNull(Token(prevHref, kind.Prev));
        var back = await tenant.Admin.GetAsync(prevHref).JsonAsync();
        Assert.Equal(Ids(first, kind), Ids(back, kind));
        Assert.Equal(Ids(second, kind), Ids(await tenant.Admin.GetAsync(Href(back, "next")).JsonAsync(), kind));
    }

    [Theory]
    [InlineData("users")]
    [InlineData("spaces")]
    [InlineData("assignments")]
    [InlineData("api-keys")]
    [InlineData("data-connections")]
    public async Task TamperedTokensAreRefused(string list)
    {
        var kind = Lists[list];
        var (tenant, path) = await SeedAsync(list);
        var token = Token(Href(await tenant.Admin.GetAsync(Join(path, "limit=2")).JsonAsync(), "next")!, kind.Next);
        var dot = token.IndexOf('.', StringComparison.Ordinal);
        Assert.True(dot > 0, "a token is a payload and its signature");
        var flipped = token[..3] + (token[3] == 'A' ? 'B' : 'A') + token[4..];
        foreach (var bad in new[] { flipped, token[..dot], token + "x", "garbage", token[..(dot + 1)] + new string('A', token.Length - dot - 1) })
        {
            var error = await ApiAssert.ErrorAsync(
                await tenant.Admin.GetAsync(Join(path, $"limit=2&{kind.Next}={Uri.EscapeDataString(bad)}")), HttpStatusCode.BadRequest, "DCERROR-0012");
            Assert.StartsWith(kind.Next + ":", error.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
        Assert.Equal(2, Ids(await tenant.Admin.GetAsync(Join(path, $"limit=2&{kind.Next}={Uri.EscapeDataString(token)}")).JsonAsync(), kind).Count);
    }

    [Fact]
    public async Task ATokenOfOneListIsRefusedByEveryOther()
    {
        var tokens = new Dictionary<string, (TestTenant Tenant, string Path, string Token)>();
        foreach (var (name, kind) in Lists)
        {
            var (tenant, path) = await SeedAsync(name);
            tokens[name] = (tenant, path, Token(Href(await tenant.Admin.GetAsync(Join(path, "limit=2")).JsonAsync(), "next")!, kind.Next));
        }
        foreach (var (name, (tenant, path, _)) in tokens)
        {
            var kind = Lists[name];
            foreach (var (other, (_, _, token)) in tokens.Where(t => t.Key != name))
            {
                var error = await ApiAssert.ErrorAsync(
                    await tenant.Admin.GetAsync(Join(path, $"limit=2&{kind.Next}={Uri.EscapeDataString(token)}")), HttpStatusCode.BadRequest, "DCERROR-0012");
                Assert.True(error.GetProperty("detail").GetString()!.StartsWith(kind.Next + ":", StringComparison.Ordinal), $"{other} on {name}: {error}");
            }
        }
    }

    [Fact]
    public async Task ATokenReusedWithAnotherFilterIsRefusedNamingIt()
    {
        var tenant = await factory.NewTenantAsync();
        for (var i = 0; i < 4; i++)
        {
            await tenant.Admin.NewConnectionAsync($"alpha{i}");
            await tenant.NewSpaceAsync("shared", name: $"alpha-{i}-{Guid.NewGuid():N}");
        }
        var connections = await tenant.Admin.GetAsync("/api/v1/data-connections?limit=2&filter=qName%20sw%20%22alpha%22").JsonAsync();
        var page = Token(Href(connections, "next")!, "page");
        foreach (var (query, parameter) in new[]
        {
            ("filter=qName%20sw%20%22alp%22", "filter"),
            ("", "filter"),
            ("filter=qName%20sw%20%22alpha%22&noDatafiles=true", "noDatafiles"),
            ("filter=qName%20sw%20%22alpha%22&ownedByMe=true", "ownedByMe"),
            ("filter=qName%20sw%20%22alpha%22&sort=-qName", "sort"),
            ("filter=qName%20sw%20%22alpha%22&caseinsensitive=true", "caseinsensitive"),
        })
        {
            var error = await ApiAssert.ErrorAsync(
                await tenant.Admin.GetAsync($"/api/v1/data-connections?limit=2&{query}&page={Uri.EscapeDataString(page)}"), HttpStatusCode.BadRequest, "DCERROR-0012");
            Assert.Contains($"'{parameter}'", error.GetProperty("detail").GetString(), StringComparison.Ordinal);
            Assert.StartsWith("page:", error.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
        // What does not decide the rows may change: the limit, the shape of each row, an equivalent filter's spelling of false.
        var same = await tenant.Admin.GetAsync($"/api/v1/data-connections?limit=3&includeQris=true&noDatafiles=false&filter=qName%20sw%20%22alpha%22&page={Uri.EscapeDataString(page)}").JsonAsync();
        Assert.Equal(["alpha2", "alpha3"], same.GetProperty("data").EnumerateArray().Select(c => c.GetProperty("qName").GetString()).Take(2));

        var spaces = await tenant.Admin.GetAsync("/api/v1/spaces?limit=2&name=alpha").JsonAsync();
        var next = Token(Href(spaces, "next")!, "next");
        var spaceError = await ApiAssert.ErrorAsync(
            await tenant.Admin.GetAsync($"/api/v1/spaces?limit=2&name=alph&next={Uri.EscapeDataString(next)}"), HttpStatusCode.BadRequest, "DCERROR-0012");
        Assert.Contains("'name'", spaceError.GetProperty("detail").GetString(), StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.Created, (await tenant.Admin.PostAsJsonAsync("/api/v1/api-keys", new { description = "second" })).StatusCode);
        var keys = await tenant.Admin.GetAsync("/api/v1/api-keys?limit=1&status=active").JsonAsync();
        var after = Token(Href(keys, "next")!, "startingAfter");
        var keyError = await ApiAssert.ErrorAsync(
            await tenant.Admin.GetAsync($"/api/v1/api-keys?limit=1&startingAfter={Uri.EscapeDataString(after)}"), HttpStatusCode.BadRequest, "DCERROR-0012");
        Assert.Contains("'status'", keyError.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("users")]
    [InlineData("spaces")]
    [InlineData("assignments")]
    [InlineData("api-keys")]
    [InlineData("data-connections")]
    public async Task ATokenIsRefusedToAnotherCaller(string list)
    {
        var kind = Lists[list];
        var (tenant, path) = await SeedAsync(list);
        var other = await tenant.NewUserAsync("TenantAdmin");
        var token = Token(Href(await tenant.Admin.GetAsync(Join(path, "limit=2")).JsonAsync(), "next")!, kind.Next);
        var error = await ApiAssert.ErrorAsync(
            await other.Client.GetAsync(Join(path, $"limit=2&{kind.Next}={Uri.EscapeDataString(token)}")), HttpStatusCode.BadRequest, "DCERROR-0012");
        Assert.Contains("another user", error.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("users")]
    [InlineData("spaces")]
    [InlineData("assignments")]
    [InlineData("api-keys")]
    [InlineData("data-connections")]
    public async Task RepeatedQueryParametersTakeTheFirstValue(string list)
    {
        var kind = Lists[list];
        var (tenant, path) = await SeedAsync(list);
        Assert.Equal(2, Ids(await tenant.Admin.GetAsync(Join(path, "limit=2&limit=2")).JsonAsync(), kind).Count);
        var first = await tenant.Admin.GetAsync(Join(path, "limit=1&limit=3")).JsonAsync();
        Assert.Single(Ids(first, kind));
        // As @qlik/sdk follows a next link: it appends the limit it was given.
        var nextHref = Href(first, "next")!;
        var second = await tenant.Admin.GetAsync(nextHref + "&limit=1").JsonAsync();
        Assert.Equal(Ids(await tenant.Admin.GetAsync(nextHref).JsonAsync(), kind), Ids(second, kind));
        Assert.Single(Ids(second, kind));
        // The links carry the query as it counted, once.
        Assert.Single(HttpUtility.ParseQueryString(new Uri(Href(second, "next")!).Query).GetValues("limit")!);
    }
}
