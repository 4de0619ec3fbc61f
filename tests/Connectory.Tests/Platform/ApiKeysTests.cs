using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Connectory.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace Connectory.Tests.Platform;

public sealed class ApiKeysTests(ConnectoryFactory factory) : IClassFixture<ConnectoryFactory>
{
    static Task<HttpResponseMessage> Mint(HttpClient client, object body) => client.PostAsJsonAsync("/api/v1/api-keys", body);

    [Theory]
    [InlineData("PT1H", 60)]
    [InlineData("P30D", 30 * 24 * 60)]
    [InlineData("PT90M", 90)]
    [InlineData("P1DT12H", 36 * 60)]
    public async Task ExpiryIsAnIso8601Duration(string expiry, int minutes)
    {
        var tenant = await factory.NewTenantAsync();
        var key = await Mint(tenant.Admin, new { description = "ci", expiry }).JsonAsync(HttpStatusCode.Created);
        var created = DateTimeOffset.Parse(key.GetProperty("created").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        var expires = DateTimeOffset.Parse(key.GetProperty("expiry").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(TimeSpan.FromMinutes(minutes), expires - created);
        Assert.Equal("ci", key.GetProperty("description").GetString());
        Assert.Equal("active", key.GetProperty("status").GetString());
        Assert.Equal(tenant.AdminUserId, key.GetProperty("sub").GetString());
        Assert.Equal(tenant.AdminUserId, key.GetProperty("createdByUser").GetString());
        Assert.Equal(tenant.Id, key.GetProperty("tenantId").GetString());
    }

    [Fact]
    public async Task WithoutExpiryTheKeyGetsTheDefaultLifetime()
    {
        var tenant = await factory.NewTenantAsync();
        var key = await Mint(tenant.Admin, new { description = "default" }).JsonAsync(HttpStatusCode.Created);
        var created = DateTimeOffset.Parse(key.GetProperty("created").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        var expires = DateTimeOffset.Parse(key.GetProperty("expiry").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(TimeSpan.FromDays(30), expires - created);
    }

    [Theory]
    [InlineData("1 hour")]
    [InlineData("PT")]
    [InlineData("P")]
    [InlineData("3600")]
    [InlineData("PT0S")]
    [InlineData("-PT1H")]
    [InlineData("P1000D")]
    [InlineData("P99999999999Y")]
    [InlineData("")]
    public async Task InvalidExpiryIs400(string expiry)
    {
        var tenant = await factory.NewTenantAsync();
        var error = await ApiAssert.ErrorAsync(await Mint(tenant.Admin, new { description = "x", expiry }), HttpStatusCode.BadRequest);
        Assert.Contains("expiry", error.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task MissingOrOverlongDescriptionIs400()
    {
        var tenant = await factory.NewTenantAsync();
        await ApiAssert.ErrorAsync(await Mint(tenant.Admin, new { expiry = "PT1H" }), HttpStatusCode.BadRequest, "DCERROR-0013");
        await ApiAssert.ErrorAsync(await Mint(tenant.Admin, new { description = "  " }), HttpStatusCode.BadRequest, "DCERROR-0013");
        await ApiAssert.ErrorAsync(await Mint(tenant.Admin, new { description = new string('d', 257) }), HttpStatusCode.BadRequest, "DCERROR-0014");
        await ApiAssert.ErrorAsync(await Mint(tenant.Admin, new { description = "x", subType = "oauth-client" }), HttpStatusCode.BadRequest, "DCERROR-0014");
    }

    [Fact]
    public async Task TokenIsReturnedOnceAndNeverListedOrRead()
    {
        var tenant = await factory.NewTenantAsync();
        var response = await Mint(tenant.Admin, new { description = "once", expiry = "PT1H" });
        var key = await ApiAssert.OkAsync(response, HttpStatusCode.Created);
        var token = key.GetProperty("token").GetString()!;
        var id = key.GetProperty("id").GetString()!;
        Assert.StartsWith("cnx_", token);
        Assert.True(token.Length >= 40, "the token carries at least 256 bits");
        Assert.EndsWith($"/api/v1/api-keys/{id}", response.Headers.Location!.ToString());

        foreach (var url in new[] { $"/api/v1/api-keys/{id}", "/api/v1/api-keys", "/api/v1/api-keys?status=active", $"/api/v1/api-keys?sub={tenant.AdminUserId}" })
        {
            var text = await (await tenant.Admin.GetAsync(url)).Content.ReadAsStringAsync();
            Assert.DoesNotContain(token, text, StringComparison.Ordinal);
            Assert.DoesNotContain("\"token\"", text, StringComparison.Ordinal);
            Assert.Contains(id, text, StringComparison.Ordinal);
        }
        // The key works.
        Assert.Equal(tenant.AdminUserId, (await factory.Client(token).GetAsync("/api/v1/users/me").JsonAsync()).GetProperty("id").GetString());
    }

    [Fact]
    public async Task TheStoredRowHoldsAHashNotTheToken()
    {
        var tenant = await factory.NewTenantAsync();
        var key = await Mint(tenant.Admin, new { description = "hashed" }).JsonAsync(HttpStatusCode.Created);
        var token = key.GetProperty("token").GetString()!;
        var id = key.GetProperty("id").GetString()!;
        var row = await factory.WithDbAsync(db => db.ApiKeys.IgnoreQueryFilters().AsNoTracking().SingleAsync(k => k.Id == id));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token))), row.TokenHash);
        Assert.DoesNotContain(token, JsonSerializer.Serialize(row), StringComparison.Ordinal);
        Assert.DoesNotContain(token[4..], JsonSerializer.Serialize(row), StringComparison.Ordinal);
        if (!TestDatabase.IsPostgres)
        {
            // Nowhere in the database files either (WAL included).
            foreach (var file in Directory.EnumerateFiles(factory.DataDir, "*", SearchOption.AllDirectories))
            {
                using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                using var copy = new MemoryStream();
                await stream.CopyToAsync(copy);
                Assert.DoesNotContain(token[4..], Encoding.UTF8.GetString(copy.ToArray()), StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public async Task AdminMintsAKeyForAnotherUser()
    {
        var tenant = await factory.NewTenantAsync();
        var user = await tenant.NewUserAsync();
        var key = await Mint(tenant.Admin, new { description = "for user", sub = user.Id, subType = "user" }).JsonAsync(HttpStatusCode.Created);
        Assert.Equal(user.Id, key.GetProperty("sub").GetString());
        Assert.Equal(tenant.AdminUserId, key.GetProperty("createdByUser").GetString());
        var me = await factory.Client(key.GetProperty("token").GetString()).GetAsync("/api/v1/users/me").JsonAsync();
        Assert.Equal(user.Id, me.GetProperty("id").GetString());
        // The user sees the key made for them; its creator is recorded.
        var theirs = await user.Client.GetAsync("/api/v1/api-keys").JsonAsync();
        Assert.Contains(key.GetProperty("id").GetString(), theirs.Ids());
    }

    [Fact]
    public async Task AdminCannotMintForAnUnknownUser()
    {
        var tenant = await factory.NewTenantAsync();
        await ApiAssert.ErrorAsync(await Mint(tenant.Admin, new { description = "x", sub = "nobody" }), HttpStatusCode.BadRequest, "DCERROR-0014");
    }

    [Fact]
    public async Task NonAdminCannotMintForOthers()
    {
        var tenant = await factory.NewTenantAsync();
        var user = await tenant.NewUserAsync("AnalyticsAdmin", "DataAdmin");
        var other = await tenant.NewUserAsync();
        await ApiAssert.ErrorAsync(await Mint(user.Client, new { description = "x", sub = other.Id }), HttpStatusCode.Forbidden, "DCERROR-0030");
        await ApiAssert.ErrorAsync(await Mint(user.Client, new { description = "x", sub = tenant.AdminUserId }), HttpStatusCode.Forbidden, "DCERROR-0030");
        await ApiAssert.ErrorAsync(await Mint(user.Client, new { description = "x", sub = "nobody" }), HttpStatusCode.Forbidden, "DCERROR-0030");
        // ...but for themselves, explicitly or not.
        var own = await Mint(user.Client, new { description = "mine", sub = user.Id }).JsonAsync(HttpStatusCode.Created);
        Assert.Equal(user.Id, own.GetProperty("sub").GetString());
        var implicitOwn = await Mint(user.Client, new { description = "mine too" }).JsonAsync(HttpStatusCode.Created);
        Assert.Equal(user.Id, implicitOwn.GetProperty("sub").GetString());
    }

    [Fact]
    public async Task NonAdminSeesOnlyTheirOwnKeys()
    {
        var tenant = await factory.NewTenantAsync();
        var alice = await tenant.NewUserAsync();
        var bob = await tenant.NewUserAsync();
        var aliceKeys = (await alice.Client.GetAsync("/api/v1/api-keys").JsonAsync()).Ids();
        var bobKey = Assert.Single((await bob.Client.GetAsync("/api/v1/api-keys").JsonAsync()).Ids());
        Assert.DoesNotContain(bobKey, aliceKeys);
        Assert.Empty((await alice.Client.GetAsync($"/api/v1/api-keys?sub={bob.Id}").JsonAsync()).Ids());
        Assert.Empty((await alice.Client.GetAsync($"/api/v1/api-keys?createdByUser={tenant.AdminUserId}&sub={bob.Id}").JsonAsync()).Ids());

        await ApiAssert.ErrorAsync(await alice.Client.GetAsync($"/api/v1/api-keys/{bobKey}"), HttpStatusCode.NotFound, "DCERROR-0040");
        await ApiAssert.ErrorAsync(await alice.Client.PatchJsonAsync($"/api/v1/api-keys/{bobKey}",
            new[] { new { op = "replace", path = "/description", value = "stolen" } }), HttpStatusCode.NotFound, "DCERROR-0040");
        await ApiAssert.ErrorAsync(await alice.Client.DeleteAsync($"/api/v1/api-keys/{bobKey}"), HttpStatusCode.NotFound, "DCERROR-0040");
        // Bob's key still works and is unchanged.
        var read = await bob.Client.GetAsync($"/api/v1/api-keys/{bobKey}").JsonAsync();
        Assert.Equal("active", read.GetProperty("status").GetString());
        Assert.Equal("test key", read.GetProperty("description").GetString());
        // The admin sees both.
        var all = await tenant.Admin.AllPagesAsync("/api/v1/api-keys?limit=1");
        Assert.Contains(bobKey, all);
        Assert.Contains(aliceKeys[0], all);
        Assert.Equal(all.Count, all.Distinct().Count());
    }

    [Fact]
    public async Task DescriptionCanBeRenamedAndOnlyThat()
    {
        var tenant = await factory.NewTenantAsync();
        var id = (await Mint(tenant.Admin, new { description = "before" }).JsonAsync(HttpStatusCode.Created)).GetProperty("id").GetString();
        Assert.Equal(HttpStatusCode.NoContent, (await tenant.Admin.PatchJsonAsync($"/api/v1/api-keys/{id}",
            new[] { new { op = "replace", path = "/description", value = "after" } })).StatusCode);
        Assert.Equal("after", (await tenant.Admin.GetAsync($"/api/v1/api-keys/{id}").JsonAsync()).GetProperty("description").GetString());
        await ApiAssert.ErrorAsync(await tenant.Admin.PatchJsonAsync($"/api/v1/api-keys/{id}",
            new[] { new { op = "replace", path = "/expiry", value = "2099-01-01T00:00:00Z" } }), HttpStatusCode.BadRequest);
        await ApiAssert.ErrorAsync(await tenant.Admin.PatchJsonAsync($"/api/v1/api-keys/{id}",
            new[] { new { op = "replace", path = "/sub", value = "someone" } }), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task StatusFilterAndValidation()
    {
        var tenant = await factory.NewTenantAsync();
        var id = (await Mint(tenant.Admin, new { description = "to revoke" }).JsonAsync(HttpStatusCode.Created)).GetProperty("id").GetString()!;
        Assert.Equal(HttpStatusCode.NoContent, (await tenant.Admin.DeleteAsync($"/api/v1/api-keys/{id}")).StatusCode);
        Assert.Contains(id, (await tenant.Admin.GetAsync("/api/v1/api-keys?status=revoked").JsonAsync()).Ids());
        Assert.DoesNotContain(id, (await tenant.Admin.GetAsync("/api/v1/api-keys?status=active").JsonAsync()).Ids());
        await ApiAssert.ErrorAsync(await tenant.Admin.GetAsync("/api/v1/api-keys?status=weird"), HttpStatusCode.BadRequest, "DCERROR-0012");
        await ApiAssert.ErrorAsync(await tenant.Admin.GetAsync("/api/v1/api-keys?sort=token"), HttpStatusCode.BadRequest, "DCERROR-0012");
    }

    [Fact]
    public async Task ConfigsAnswerOnlyForTheCallersTenantAndOnlyToAdmins()
    {
        var tenant = await factory.NewTenantAsync();
        var other = await factory.NewTenantAsync();
        var user = await tenant.NewUserAsync();
        var config = await tenant.Admin.GetAsync($"/api/v1/api-keys/configs/{tenant.Id}").JsonAsync();
        Assert.Equal("P365D", config.GetProperty("max_api_key_expiry").GetString());
        await ApiAssert.ErrorAsync(await tenant.Admin.GetAsync($"/api/v1/api-keys/configs/{other.Id}"), HttpStatusCode.NotFound);
        await ApiAssert.ErrorAsync(await user.Client.GetAsync($"/api/v1/api-keys/configs/{tenant.Id}"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task UnknownKeyIdIs404()
    {
        var tenant = await factory.NewTenantAsync();
        await ApiAssert.ErrorAsync(await tenant.Admin.GetAsync("/api/v1/api-keys/nope"), HttpStatusCode.NotFound, "DCERROR-0040");
        await ApiAssert.ErrorAsync(await tenant.Admin.DeleteAsync("/api/v1/api-keys/nope"), HttpStatusCode.NotFound, "DCERROR-0040");
    }

    [Fact]
    public async Task ActiveKeysPerUserAreLimited()
    {
        var tenant = await factory.NewTenantAsync();
        var user = await tenant.NewUserAsync();
        string? last = null;
        for (var i = 1; i < 50; i++)
        {
            last = (await Mint(user.Client, new { description = $"k{i}" }).JsonAsync(HttpStatusCode.Created)).GetProperty("id").GetString();
        }
        await ApiAssert.ErrorAsync(await Mint(user.Client, new { description = "one too many" }), HttpStatusCode.Conflict, "DCERROR-0090");
        await ApiAssert.ErrorAsync(await Mint(tenant.Admin, new { description = "for them", sub = user.Id }), HttpStatusCode.Conflict, "DCERROR-0090");
        // A revoked key frees its place.
        Assert.Equal(HttpStatusCode.NoContent, (await user.Client.DeleteAsync($"/api/v1/api-keys/{last}")).StatusCode);
        await Mint(user.Client, new { description = "fits again" }).JsonAsync(HttpStatusCode.Created);
    }

    [Theory]
    [InlineData("POST", "null")]
    [InlineData("POST", "{\"description\":\"x\",\"expiry\":3600}")]
    [InlineData("PATCH", "[null]")]
    [InlineData("PATCH", "null")]
    [InlineData("PATCH", "[{\"op\":\"replace\",\"path\":\"/description\",\"value\":7}]")]
    public async Task MalformedBodiesAre400(string method, string body)
    {
        var tenant = await factory.NewTenantAsync();
        var id = (await Mint(tenant.Admin, new { description = "target" }).JsonAsync(HttpStatusCode.Created)).GetProperty("id").GetString();
        var request = new HttpRequestMessage(new HttpMethod(method), method == "POST" ? "/api/v1/api-keys" : $"/api/v1/api-keys/{id}")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        await ApiAssert.ErrorAsync(await tenant.Admin.SendAsync(request), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task ConcurrentMintsCannotPassTheLimit()
    {
        var tenant = await factory.NewTenantAsync();
        var user = await tenant.NewUserAsync();
        var responses = await Task.WhenAll(Enumerable.Range(0, 60).Select(i => Mint(user.Client, new { description = $"race {i}" })));
        Assert.Equal(49, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        foreach (var response in responses.Where(r => r.StatusCode != HttpStatusCode.Created))
        {
            await ApiAssert.ErrorAsync(response, HttpStatusCode.Conflict, "DCERROR-0090");
        }
        Assert.Equal(50, (await user.Client.AllPagesAsync("/api/v1/api-keys?status=active&limit=100")).Count);
    }
}
