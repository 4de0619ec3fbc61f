using System.Net;
using System.Net.Http.Json;
using Connectory.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace Connectory.Tests.Platform;

/// <summary>One app for the class that remembers sign-ins for a minute; each test signs in users of its own tenant.</summary>
public sealed class SignInCacheApp : IDisposable
{
    public ConnectoryFactory Factory { get; } = ConnectoryFactory.With(new() { ["Auth:SignInCacheSeconds"] = "60" });

    public void Dispose() => Factory.Dispose();
}

/// <summary>With sign-ins remembered for a minute, changes made through the API still take effect at once.</summary>
public sealed class SignInCacheTests(SignInCacheApp app) : IClassFixture<SignInCacheApp>
{
    readonly ConnectoryFactory factory = app.Factory;

    async Task<(TestTenant Tenant, TestUser User)> SignedInUserAsync(params string[] roles)
    {
        var tenant = await factory.NewTenantAsync();
        var user = await tenant.NewUserAsync(roles);
        await user.Client.GetAsync("/api/v1/users/me").JsonAsync();
        return (tenant, user);
    }

    [Fact]
    public async Task TheCacheIsInUse()
    {
        // A change behind the API's back is not seen until the remembered sign-in expires: proof the tests below
        // pass because the API forgets, not because nothing is remembered.
        var (_, user) = await SignedInUserAsync();
        await factory.WithDbAsync(db => db.ApiKeys.IgnoreQueryFilters().Where(k => k.UserId == user.Id)
            .ExecuteUpdateAsync(s => s.SetProperty(k => k.RevokedAt, DateTime.UtcNow)));
        await user.Client.GetAsync("/api/v1/users/me").JsonAsync();
    }

    [Fact]
    public async Task ARememberedSignInEndsWhenItsKeyExpires()
    {
        var tenant = await factory.NewTenantAsync();
        var user = await tenant.NewUserAsync();
        var key = await tenant.Admin.PostAsJsonAsync("/api/v1/api-keys", new { description = "short", sub = user.Id, expiry = "PT1H" }).JsonAsync(HttpStatusCode.Created);
        var client = factory.Client(key.GetProperty("token").GetString());
        await client.GetAsync("/api/v1/users/me").JsonAsync();
        factory.Clock.Offset = TimeSpan.FromHours(1) + TimeSpan.FromSeconds(1);
        try
        {
            // Remembered for a minute, but the key it was made from has expired: refused.
            await ApiAssert.ErrorAsync(await client.GetAsync("/api/v1/users/me"), HttpStatusCode.Unauthorized, "DCERROR-0020");
        }
        finally
        {
            factory.Clock.Offset = TimeSpan.Zero;
        }
    }

    [Fact]
    public async Task RevokedKeyStopsAtOnce()
    {
        var (_, user) = await SignedInUserAsync();
        var keyId = Assert.Single((await user.Client.GetAsync("/api/v1/api-keys").JsonAsync()).Ids());
        Assert.Equal(HttpStatusCode.NoContent, (await user.Client.DeleteAsync($"/api/v1/api-keys/{keyId}")).StatusCode);
        await ApiAssert.ErrorAsync(await user.Client.GetAsync("/api/v1/users/me"), HttpStatusCode.Unauthorized, "DCERROR-0020");
    }

    [Fact]
    public async Task DisabledUserStopsAtOnce()
    {
        var (tenant, user) = await SignedInUserAsync();
        Assert.Equal(HttpStatusCode.NoContent, (await tenant.Admin.PatchJsonAsync($"/api/v1/users/{user.Id}",
            new[] { new { op = "replace", path = "/status", value = "disabled" } })).StatusCode);
        await ApiAssert.ErrorAsync(await user.Client.GetAsync("/api/v1/users/me"), HttpStatusCode.Unauthorized, "DCERROR-0020");
    }

    [Fact]
    public async Task DeletedUserStopsAtOnce()
    {
        var (tenant, user) = await SignedInUserAsync();
        Assert.Equal(HttpStatusCode.NoContent, (await tenant.Admin.DeleteAsync($"/api/v1/users/{user.Id}")).StatusCode);
        await ApiAssert.ErrorAsync(await user.Client.GetAsync("/api/v1/users/me"), HttpStatusCode.Unauthorized, "DCERROR-0020");
    }

    [Fact]
    public async Task RemovedRoleAppliesAtOnce()
    {
        var (tenant, user) = await SignedInUserAsync("TenantAdmin");
        await user.Client.GetAsync("/api/v1/users?limit=5").JsonAsync();
        Assert.Equal(HttpStatusCode.NoContent, (await tenant.Admin.PatchJsonAsync($"/api/v1/users/{user.Id}",
            new[] { new { op = "replace", path = "/assignedRoles", value = Array.Empty<object>() } })).StatusCode);
        await ApiAssert.ErrorAsync(await user.Client.PostAsJsonAsync("/api/v1/users", new { subject = "after-demotion" }), HttpStatusCode.Forbidden, "DCERROR-0030");
    }

    [Fact]
    public async Task OtherUsersStaySignedIn()
    {
        var (tenant, user) = await SignedInUserAsync();
        var other = await tenant.NewUserAsync();
        await other.Client.GetAsync("/api/v1/users/me").JsonAsync();
        Assert.Equal(HttpStatusCode.NoContent, (await tenant.Admin.DeleteAsync($"/api/v1/users/{user.Id}")).StatusCode);
        await other.Client.GetAsync("/api/v1/users/me").JsonAsync();
    }
}
