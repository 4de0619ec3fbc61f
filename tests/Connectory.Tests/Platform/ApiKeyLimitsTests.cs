using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Connectory.Tests.Support;

namespace Connectory.Tests.Platform;

/// <summary>ApiKeys:MaxKeysPerUser, :MaxExpiry and :DefaultExpiry as set, on the API and for the keys provisioning makes.</summary>
public sealed class ApiKeyLimitsTests : IDisposable
{
    readonly ConnectoryFactory factory = ConnectoryFactory.With(new()
    {
        ["ApiKeys:MaxKeysPerUser"] = "2",
        ["ApiKeys:MaxExpiry"] = "10.00:00:00",
        ["ApiKeys:DefaultExpiry"] = "2.00:00:00",
    });

    public void Dispose() => factory.Dispose();

    static Task<HttpResponseMessage> Mint(HttpClient client, object body) => client.PostAsJsonAsync("/api/v1/api-keys", body);

    static TimeSpan Lifetime(JsonElement key) =>
        DateTimeOffset.Parse(key.GetProperty("expiry").GetString()!, CultureInfo.InvariantCulture)
        - DateTimeOffset.Parse(key.GetProperty("created").GetString()!, CultureInfo.InvariantCulture);

    [Fact]
    public async Task AProvisionedAdminKeyLivesForMaxExpiry()
    {
        var tenant = await factory.NewTenantAsync();
        var key = Assert.Single((await tenant.Admin.GetAsync("/api/v1/api-keys").JsonAsync()).GetProperty("data").EnumerateArray());
        Assert.Equal(TimeSpan.FromDays(10), Lifetime(key));
    }

    [Fact]
    public async Task TheBootstrapKeyLivesForMaxExpiry()
    {
        var key = Assert.Single((await factory.Client(factory.BootstrapKey).GetAsync("/api/v1/api-keys").JsonAsync()).GetProperty("data").EnumerateArray());
        Assert.Equal(TimeSpan.FromDays(10), Lifetime(key));
    }

    [Fact]
    public async Task TheApiHoldsToTheConfiguredLimits()
    {
        var tenant = await factory.NewTenantAsync();
        Assert.Equal(TimeSpan.FromDays(2), Lifetime(await Mint(tenant.Admin, new { description = "default" }).JsonAsync(HttpStatusCode.Created)));
        // The provisioned key and this one make two: the limit.
        var error = await ApiAssert.ErrorAsync(await Mint(tenant.Admin, new { description = "third" }), HttpStatusCode.Conflict, "DCERROR-0090");
        Assert.Equal("The user already holds 2 active API keys (the limit is 2).", error.GetProperty("detail").GetString());

        var user = await tenant.NewUserAsync();
        error = await ApiAssert.ErrorAsync(await Mint(user.Client, new { description = "long", expiry = "P11D" }), HttpStatusCode.BadRequest, "DCERROR-0014");
        Assert.Equal("Field 'expiry' must be positive and at most P10D", error.GetProperty("detail").GetString());
        Assert.Equal(TimeSpan.FromDays(10), Lifetime(await Mint(user.Client, new { description = "longest", expiry = "P10D" }).JsonAsync(HttpStatusCode.Created)));
    }

    [Fact]
    public async Task TheConfigEndpointReportsTheLimits()
    {
        var tenant = await factory.NewTenantAsync();
        var config = await tenant.Admin.GetAsync($"/api/v1/api-keys/configs/{tenant.Id}").JsonAsync();
        Assert.Equal("P10D", config.GetProperty("max_api_key_expiry").GetString());
        Assert.Equal(2, config.GetProperty("max_keys_per_user").GetInt32());
    }
}
