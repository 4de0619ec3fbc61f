using System.Net;
using System.Net.Http.Json;
using Connectory.Tests.Support;

namespace Connectory.Tests.Platform;

/// <summary>Every way a bearer token can fail answers 401 in the one error shape, and names no part of the token.</summary>
public sealed class AuthenticationTests(ConnectoryFactory factory) : IClassFixture<ConnectoryFactory>
{
    const string Unauthorized = "DCERROR-0020";

    async Task AssertUnauthorizedAsync(HttpClient client, string? token = null, string? detailContains = null)
    {
        foreach (var path in new[] { "/api/v1/users/me", "/api/v1/spaces", "/api/v1/api-keys", "/api/v1/data-connections" })
        {
            var error = await ApiAssert.ErrorAsync(await client.GetAsync(path), HttpStatusCode.Unauthorized, Unauthorized);
            var detail = error.GetProperty("detail").GetString()!;
            if (token is { Length: > 3 })
            {
                Assert.DoesNotContain(token, detail, StringComparison.Ordinal);
            }
            if (detailContains is not null)
            {
                Assert.Contains(detailContains, detail, StringComparison.OrdinalIgnoreCase);
            }
        }
    }

    HttpClient RawAuthorization(string value)
    {
        var client = factory.Client(null);
        Assert.True(client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", value));
        return client;
    }

    [Fact]
    public async Task MissingHeaderIs401() =>
        await AssertUnauthorizedAsync(factory.Client(null), detailContains: "Authorization");

    [Theory]
    [InlineData("Basic YWRtaW46YWRtaW4=")]
    [InlineData("Token abc")]
    [InlineData("Bearer")]
    [InlineData("Bearer ")]
    [InlineData("Bearerabc")]
    public async Task NonBearerSchemeIs401(string header) =>
        await AssertUnauthorizedAsync(RawAuthorization(header));

    [Fact]
    public async Task BootstrapKeyUnderAnotherSchemeIs401() =>
        await AssertUnauthorizedAsync(RawAuthorization("Basic " + factory.BootstrapKey), factory.BootstrapKey);

    [Theory]
    [InlineData("a.b.c")]
    [InlineData("..")]
    [InlineData("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln")]
    [InlineData("not a token at all")]
    [InlineData("cnx_")]
    [InlineData("!!!")]
    public async Task MalformedTokenIs401(string token) =>
        await AssertUnauthorizedAsync(RawAuthorization("Bearer " + token), token);

    [Fact]
    public async Task VeryLongTokenIs401() =>
        await AssertUnauthorizedAsync(factory.Client(new string('x', 8000)));

    [Fact]
    public async Task UnknownApiKeyIs401()
    {
        var token = "cnx_" + Convert.ToBase64String(Guid.NewGuid().ToByteArray()).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        await AssertUnauthorizedAsync(factory.Client(token), token, "not valid");
    }

    [Fact]
    public async Task BootstrapKeyWithOneCharacterChangedIs401()
    {
        var key = factory.BootstrapKey;
        var altered = key[..^1] + (key[^1] == 'a' ? 'b' : 'a');
        await AssertUnauthorizedAsync(factory.Client(altered), altered);
        await AssertUnauthorizedAsync(factory.Client(key.ToUpperInvariant()), key.ToUpperInvariant());
    }

    [Fact]
    public async Task ExpiredApiKeyIs401AndListsAsExpired()
    {
        var tenant = await factory.NewTenantAsync();
        var created = await tenant.Admin.PostAsJsonAsync("/api/v1/api-keys", new { description = "short", expiry = "PT1H" }).JsonAsync(HttpStatusCode.Created);
        var token = created.GetProperty("token").GetString()!;
        var id = created.GetProperty("id").GetString()!;
        var client = factory.Client(token);
        await client.GetAsync("/api/v1/users/me").JsonAsync();

        factory.Clock.Offset = TimeSpan.FromMinutes(61);
        try
        {
            await AssertUnauthorizedAsync(client, token, "expired");
            var listed = await tenant.Admin.GetAsync($"/api/v1/api-keys/{id}").JsonAsync();
            Assert.Equal("expired", listed.GetProperty("status").GetString());
        }
        finally
        {
            factory.Clock.Offset = TimeSpan.Zero;
        }
    }

    [Fact]
    public async Task KeyStillWorksJustBeforeItsExpiry()
    {
        var tenant = await factory.NewTenantAsync();
        var created = await tenant.Admin.PostAsJsonAsync("/api/v1/api-keys", new { description = "short", expiry = "PT1H" }).JsonAsync(HttpStatusCode.Created);
        factory.Clock.Offset = TimeSpan.FromMinutes(59);
        try
        {
            await factory.Client(created.GetProperty("token").GetString()).GetAsync("/api/v1/users/me").JsonAsync();
        }
        finally
        {
            factory.Clock.Offset = TimeSpan.Zero;
        }
    }

    [Fact]
    public async Task RevokedKeyStopsWorkingAtOnce()
    {
        var tenant = await factory.NewTenantAsync();
        var user = await tenant.NewUserAsync();
        await user.Client.GetAsync("/api/v1/users/me").JsonAsync();
        var keys = await user.Client.GetAsync("/api/v1/api-keys").JsonAsync();
        var keyId = Assert.Single(keys.Ids());

        Assert.Equal(HttpStatusCode.NoContent, (await user.Client.DeleteAsync($"/api/v1/api-keys/{keyId}")).StatusCode);

        await AssertUnauthorizedAsync(user.Client, user.Token, "revoked");
        var read = await tenant.Admin.GetAsync($"/api/v1/api-keys/{keyId}").JsonAsync();
        Assert.Equal("revoked", read.GetProperty("status").GetString());
    }

    [Fact]
    public async Task KeyRevokedByTheAdminStopsWorking()
    {
        var tenant = await factory.NewTenantAsync();
        var user = await tenant.NewUserAsync();
        var keyId = Assert.Single((await tenant.Admin.GetAsync($"/api/v1/api-keys?sub={user.Id}").JsonAsync()).Ids());
        Assert.Equal(HttpStatusCode.NoContent, (await tenant.Admin.DeleteAsync($"/api/v1/api-keys/{keyId}")).StatusCode);
        await AssertUnauthorizedAsync(user.Client, user.Token);
        await ApiAssert.ErrorAsync(await tenant.Admin.DeleteAsync($"/api/v1/api-keys/{keyId}"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task KeyOfADeletedUserIs401()
    {
        var tenant = await factory.NewTenantAsync();
        var user = await tenant.NewUserAsync();
        await user.Client.GetAsync("/api/v1/users/me").JsonAsync();
        Assert.Equal(HttpStatusCode.NoContent, (await tenant.Admin.DeleteAsync($"/api/v1/users/{user.Id}")).StatusCode);
        await AssertUnauthorizedAsync(user.Client, user.Token);
    }

    [Fact]
    public async Task KeyOfADisabledUserIs401UntilEnabledAgain()
    {
        var tenant = await factory.NewTenantAsync();
        var user = await tenant.NewUserAsync();
        async Task SetStatus(string status) => Assert.Equal(HttpStatusCode.NoContent,
            (await tenant.Admin.PatchJsonAsync($"/api/v1/users/{user.Id}", new[] { new { op = "replace", path = "/status", value = status } })).StatusCode);

        await SetStatus("disabled");
        await AssertUnauthorizedAsync(user.Client, user.Token, "disabled");
        await SetStatus("active");
        await user.Client.GetAsync("/api/v1/users/me").JsonAsync();
    }

    [Fact]
    public async Task RoleRemovedTakesEffectOnTheNextRequest()
    {
        var tenant = await factory.NewTenantAsync();
        var user = await tenant.NewUserAsync("TenantAdmin");
        await user.Client.PostAsJsonAsync("/api/v1/users", new { subject = "made-by-" + user.Subject }).JsonAsync(HttpStatusCode.Created);
        Assert.Equal(HttpStatusCode.NoContent, (await tenant.Admin.PatchJsonAsync($"/api/v1/users/{user.Id}",
            new[] { new { op = "replace", path = "/assignedRoles", value = Array.Empty<object>() } })).StatusCode);
        await ApiAssert.ErrorAsync(await user.Client.PostAsJsonAsync("/api/v1/users", new { subject = "second-by-" + user.Subject }), HttpStatusCode.Forbidden, "DCERROR-0030");
    }

    [Fact]
    public async Task AnonymousWritesAre401()
    {
        var anonymous = factory.Client(null);
        await ApiAssert.ErrorAsync(await anonymous.PostAsJsonAsync("/api/v1/api-keys", new { description = "x" }), HttpStatusCode.Unauthorized, Unauthorized);
        await ApiAssert.ErrorAsync(await anonymous.DeleteAsync($"/api/v1/spaces/{Guid.NewGuid():N}"), HttpStatusCode.Unauthorized, Unauthorized);
    }

    [Fact]
    public async Task SchemeIsCaseInsensitiveAndSpacesAroundTheTokenAreIgnored()
    {
        await RawAuthorization("bearer " + factory.BootstrapKey).GetAsync("/api/v1/users/me").JsonAsync();
        await RawAuthorization("BEARER   " + factory.BootstrapKey + "  ").GetAsync("/api/v1/users/me").JsonAsync();
    }

    [Fact]
    public async Task TwoAuthorizationHeadersAre401()
    {
        var tenant = await factory.NewTenantAsync();
        var user = await tenant.NewUserAsync();
        var client = factory.Client(null);
        Assert.True(client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", ["Bearer " + user.Token, "Bearer " + factory.BootstrapKey]));
        await AssertUnauthorizedAsync(client, user.Token);
    }

    [Fact]
    public async Task TokenInTheQueryStringDoesNotSignIn()
    {
        var anonymous = factory.Client(null);
        foreach (var name in new[] { "access_token", "token", "api_key", "apiKey" })
        {
            await ApiAssert.ErrorAsync(await anonymous.GetAsync($"/api/v1/users/me?{name}={Uri.EscapeDataString(factory.BootstrapKey)}"), HttpStatusCode.Unauthorized, Unauthorized);
        }
    }

    [Theory]
    [InlineData("-1", false)]
    [InlineData("61", false)]
    [InlineData("60", true)]
    [InlineData("0", true)]
    public async Task SignInCacheOutsideZeroToSixtySecondsStopsTheServiceAtStart(string seconds, bool starts)
    {
        using var configured = ConnectoryFactory.With(new() { ["Auth:SignInCacheSeconds"] = seconds });
        if (starts)
        {
            await configured.Client(configured.BootstrapKey).GetAsync("/api/v1/users/me").JsonAsync();
        }
        else
        {
            Assert.ThrowsAny<Exception>(() => configured.Client(null));
        }
    }
}
