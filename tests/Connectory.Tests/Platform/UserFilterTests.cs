using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Connectory.Tests.Support;

namespace Connectory.Tests.Platform;

/// <summary>GET /users/actions/count, POST /users/actions/filter and the list's filter: Qlik's SCIM filter over one tenant's users.</summary>
public sealed class UserFilterTests(ConnectoryFactory factory) : IClassFixture<ConnectoryFactory>
{
    const string Count = "/api/v1/users/actions/count";
    const string Filter = "/api/v1/users/actions/filter";

    static string Query(string filter) => "filter=" + Uri.EscapeDataString(filter);

    static Task<HttpResponseMessage> FilterAsync(HttpClient client, string? filter, string query = "") =>
        client.PostAsJsonAsync(Filter + query, new { filter });

    static async Task<int> CountAsync(HttpClient client, string? filter = null) =>
        (await client.GetAsync(filter is null ? Count : $"{Count}?{Query(filter)}").JsonAsync()).GetProperty("total").GetInt32();

    /// <summary>Creates a user named <paramref name="name"/> as the admin and returns its id.</summary>
    static async Task<string> NewNamedUserAsync(TestTenant tenant, string name, params string[] roles)
    {
        var created = await tenant.Admin.PostAsJsonAsync("/api/v1/users", new
        {
            subject = "sub-" + Guid.NewGuid().ToString("N")[..10],
            name,
            email = name.ToLowerInvariant() + "@corp.example",
            assignedRoles = roles.Select(r => new { name = r }).ToArray(),
        }).JsonAsync(HttpStatusCode.Created);
        return created.GetProperty("id").GetString()!;
    }

    [Fact]
    public async Task CountSeesOnlyTheCallersTenantAndWhatTheCallerMayList()
    {
        var tenant = await factory.NewTenantAsync();
        var other = await factory.NewTenantAsync();
        var alice = await tenant.NewUserAsync();
        await tenant.NewUserAsync();
        await tenant.NewUserAsync();
        var stranger = await other.NewUserAsync();

        Assert.Equal(4, await CountAsync(tenant.Admin));
        Assert.Equal(2, await CountAsync(other.Admin));
        Assert.Equal(1, await CountAsync(tenant.Admin, $"subject eq \"{alice.Subject}\""));
        Assert.Equal(0, await CountAsync(tenant.Admin, $"subject eq \"{stranger.Subject}\""));
        Assert.Equal(0, await CountAsync(tenant.Admin, $"id eq \"{stranger.Id}\""));
        // Anyone but an admin lists only themselves, and counts the same way.
        Assert.Equal(1, await CountAsync(alice.Client));
        Assert.Equal(0, await CountAsync(alice.Client, $"id eq \"{tenant.AdminUserId}\""));
        Assert.Equal(1, await CountAsync(alice.Client, $"id eq \"{alice.Id}\""));
    }

    [Fact]
    public async Task FilterPagesTheMatchesByNameAndItsLinksRepeatTheRequest()
    {
        var tenant = await factory.NewTenantAsync();
        var other = await factory.NewTenantAsync();
        var alpha1 = await NewNamedUserAsync(tenant, "Alpha One");
        var alpha2 = await NewNamedUserAsync(tenant, "alpha two");
        var alpha3 = await NewNamedUserAsync(tenant, "ALPHA three");
        await NewNamedUserAsync(tenant, "Beta");
        await NewNamedUserAsync(other, "Alpha elsewhere");

        var seen = new List<string>();
        var first = await FilterAsync(tenant.Admin, "name co \"alpha\"", "?limit=2&sort=-name").JsonAsync();
        seen.AddRange(first.Ids());
        var next = first.GetProperty("links").GetProperty("next").GetProperty("href").GetString()!;
        Assert.Contains("sort=-name", next, StringComparison.Ordinal);
        // As Qlik's client does: the next link, with the same method and body.
        var second = await FilterAsync(tenant.Admin, "name co \"alpha\"", next[next.IndexOf('?', StringComparison.Ordinal)..]).JsonAsync();
        seen.AddRange(second.Ids());
        Assert.False(second.GetProperty("links").TryGetProperty("next", out _));
        Assert.True(second.GetProperty("links").TryGetProperty("prev", out _));
        Assert.Equal(new[] { alpha1, alpha2, alpha3 }.Order(), seen.Order());

        // The same filter on the list and the count.
        Assert.Equal(seen.Order(), (await tenant.Admin.AllPagesAsync($"/api/v1/users?limit=1&{Query("name co \"ALPHA\"")}")).Order());
        Assert.Equal(3, await CountAsync(tenant.Admin, "name co \"Alpha\""));
        // Without a filter (or without a body) it lists every user the caller may see.
        Assert.Equal(5, (await tenant.Admin.PostAsync(Filter + "?limit=100", null).JsonAsync()).Ids().Count);
    }

    [Fact]
    public async Task FilterTakesRolesStatusEmailAndLogicalOperators()
    {
        var tenant = await factory.NewTenantAsync();
        var dataAdmin = await NewNamedUserAsync(tenant, "Dana", "DataAdmin");
        var developer = await NewNamedUserAsync(tenant, "Devi", "Developer", "DataAdmin");
        var plain = await NewNamedUserAsync(tenant, "Pat");
        await tenant.Admin.PatchAsync($"/api/v1/users/{plain}", JsonContent.Create(new[] { new { op = "replace", path = "/status", value = "disabled" } })).JsonAsync(HttpStatusCode.NoContent);

        async Task<IReadOnlyList<string>> Matches(string filter) => (await FilterAsync(tenant.Admin, filter, "?limit=100").JsonAsync()).Ids().Order().ToList();

        Assert.Equal(new[] { dataAdmin, developer }.Order(), await Matches("assignedRoles.name eq \"dataadmin\""));
        Assert.Equal([developer], await Matches("assignedRoles.id eq \"605a1c2151382ffc836af865\""));
        Assert.Equal([tenant.AdminUserId], await Matches("assignedRoles.name eq \"TenantAdmin\""));
        Assert.Empty(await Matches("assignedRoles.name eq \"No Such Role\""));
        Assert.Equal([plain], await Matches("status eq \"DISABLED\""));
        Assert.Equal(new[] { dataAdmin, developer }.Order(), await Matches("(email sw \"d\" or email ew \"@nowhere.example\") and status eq \"active\""));
        Assert.Equal([dataAdmin], await Matches("name eq \"dana\" and not (assignedRoles.name eq \"Developer\")"));
        Assert.Equal(new[] { tenant.AdminUserId, plain }.Order(), await Matches("assignedRoles.name ne \"DataAdmin\""));
        // Attributes Qlik has and users here never carry match nobody.
        Assert.Empty(await Matches("assignedGroups.id eq \"g1\""));
        Assert.Equal(4, (await Matches("email pr or assignedScopes ne \"x\"")).Count);
    }

    [Fact]
    public async Task FieldsKeepOnlyTheNamedMembers()
    {
        var tenant = await factory.NewTenantAsync();
        await NewNamedUserAsync(tenant, "Fiona");
        var page = await FilterAsync(tenant.Admin, "name eq \"fiona\"", "?fields=id,name,picture").JsonAsync();
        var user = Assert.Single(page.GetProperty("data").EnumerateArray());
        Assert.Equal(["id", "name"], user.EnumerateObject().Select(p => p.Name).Order());
        var full = Assert.Single((await FilterAsync(tenant.Admin, "name eq \"fiona\"").JsonAsync()).GetProperty("data").EnumerateArray());
        Assert.True(full.TryGetProperty("links", out _));
        Assert.True(full.TryGetProperty("assignedRoles", out _));
    }

    [Theory]
    [InlineData("name eq")]
    [InlineData("name eq fiona")]
    [InlineData("(name eq \"x\"")]
    [InlineData("password eq \"x\"")]
    [InlineData("name gt \"x\"")]
    [InlineData("assignedRoles.name co \"Admin\"")]
    [InlineData("status eq 1")]
    public async Task ABadFilterIs400InTheCloudShape(string filter)
    {
        var tenant = await factory.NewTenantAsync();
        var onCount = await ApiAssert.ErrorAsync(await tenant.Admin.GetAsync($"{Count}?{Query(filter)}"), HttpStatusCode.BadRequest, "DCERROR-0012");
        Assert.Contains("filter", onCount.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await ApiAssert.ErrorAsync(await tenant.Admin.GetAsync($"/api/v1/users?{Query(filter)}"), HttpStatusCode.BadRequest, "DCERROR-0012");
        var onFilter = await ApiAssert.ErrorAsync(await FilterAsync(tenant.Admin, filter), HttpStatusCode.BadRequest, "DCERROR-0014");
        Assert.Contains("filter", onFilter.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task FilterPagingIsCheckedLikeEveryList()
    {
        var tenant = await factory.NewTenantAsync();
        for (var i = 0; i < 3; i++)
        {
            await NewNamedUserAsync(tenant, $"Gil {i}");
        }
        await ApiAssert.ErrorAsync(await FilterAsync(tenant.Admin, "name sw \"gil\"", "?sort=subject"), HttpStatusCode.BadRequest, "DCERROR-0012");
        await ApiAssert.ErrorAsync(await FilterAsync(tenant.Admin, "name sw \"gil\"", "?limit=0"), HttpStatusCode.BadRequest, "DCERROR-0012");
        var first = await FilterAsync(tenant.Admin, "name sw \"gil\"", "?limit=1").JsonAsync();
        var next = first.GetProperty("links").GetProperty("next").GetProperty("href").GetString()!;
        var token = Uri.UnescapeDataString(next[(next.IndexOf("next=", StringComparison.Ordinal) + 5)..].Split('&')[0]);
        // A token holds for the filter it was issued with, and for this list only.
        var changed = await ApiAssert.ErrorAsync(await FilterAsync(tenant.Admin, "name sw \"g\"", $"?limit=1&next={Uri.EscapeDataString(token)}"), HttpStatusCode.BadRequest, "DCERROR-0012");
        Assert.Contains("filter", changed.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await ApiAssert.ErrorAsync(await tenant.Admin.GetAsync($"/api/v1/users?limit=1&next={Uri.EscapeDataString(token)}&{Query("name sw \"gil\"")}"), HttpStatusCode.BadRequest, "DCERROR-0012");
        using var malformed = new StringContent("{\"filter\": 7}", System.Text.Encoding.UTF8, "application/json");
        await ApiAssert.ErrorAsync(await tenant.Admin.PostAsync(Filter, malformed), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task ANonAdminFiltersOnlyThemselves()
    {
        var tenant = await factory.NewTenantAsync();
        var user = await tenant.NewUserAsync("AnalyticsAdmin");
        await tenant.NewUserAsync();
        var mine = await FilterAsync(user.Client, "status eq \"active\"").JsonAsync();
        Assert.Equal([user.Id], mine.Ids());
        Assert.Empty((await FilterAsync(user.Client, $"id eq \"{tenant.AdminUserId}\"").JsonAsync()).Ids());
        Assert.Equal(JsonValueKind.Array, mine.GetProperty("data").ValueKind);
    }
}
