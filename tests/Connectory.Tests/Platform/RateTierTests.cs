using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Connectory.Tests.DataConnections;
using Connectory.Tests.Support;

namespace Connectory.Tests.Platform;

/// <summary>Qlik's rate tiers per user per tenant: reads (Tier 1) and writes (Tier 2) counted apart, 429 in each family's shape.</summary>
public sealed class RateTierTests
{
    static Dictionary<string, string?> Limits(int tier1, int tier2, int instances = 1) => new()
    {
        ["RateLimits:Tier1PerMinute"] = tier1.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["RateLimits:Tier2PerMinute"] = tier2.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["RateLimits:Instances"] = instances.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    static Task<HttpResponseMessage> CreateAsync(HttpClient client) =>
        client.PostAsJsonAsync(ConnectionApi.Path, ConnectionApi.Body("limited-" + Guid.NewGuid().ToString("N")[..8]));

    static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : "";

    [Fact]
    public async Task EachTierHasItsOwnLimitPerUserAndTenant()
    {
        using var factory = ConnectoryFactory.With(Limits(tier1: 6, tier2: 5));
        var tenant = await factory.NewTenantAsync();
        // Two users: four writes of the admin's own five.
        var user = await tenant.NewUserAsync();
        var colleague = await tenant.NewUserAsync();
        for (var i = 0; i < 5; i++)
        {
            var created = await CreateAsync(user.Client);
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            Assert.Equal("5", Header(created, "RateLimit-Limit"));
            Assert.Equal((4 - i).ToString(System.Globalization.CultureInfo.InvariantCulture), Header(created, "RateLimit-Remaining"));
        }
        var refused = await CreateAsync(user.Client);
        await ApiAssert.ErrorAsync(refused, HttpStatusCode.TooManyRequests, "DCERROR-0290");
        Assert.True(refused.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.Equal("0", Header(refused, "RateLimit-Remaining"));
        Assert.NotEmpty(Header(refused, "RateLimit-Reset"));
        // The write that was refused did nothing; reads are another tier; the connection count is the five made.
        var list = await user.Client.GetAsync($"{ConnectionApi.Path}?noDatafiles=true");
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        Assert.Equal(5, (await list.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("data").GetArrayLength());
        Assert.Equal("6", Header(list, "RateLimit-Limit"));

        // Another user of the tenant, and another tenant's admin, have their own counts.
        Assert.Equal(HttpStatusCode.Created, (await CreateAsync(colleague.Client)).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await CreateAsync((await factory.NewTenantAsync()).Admin)).StatusCode);

        // The DCaaS face answers in its own shape.
        var dcaas = await user.Client.PostAsJsonAsync("/api/v1/dcaas/actions/data-connections", new { });
        Assert.Equal(HttpStatusCode.TooManyRequests, dcaas.StatusCode);
        Assert.Contains("\"code\":\"DCAAS-", await dcaas.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SeveralInstancesShareTheLimitBetweenThem()
    {
        using var first = ConnectoryFactory.With(Limits(tier1: 100, tier2: 4, instances: 2));
        var tenant = await first.NewTenantAsync();
        var user = await tenant.NewUserAsync();
        using var second = first.Restarted();
        var onSecond = second.Client(user.Token);
        var statuses = new List<HttpStatusCode>();
        foreach (var client in new[] { user.Client, onSecond })
        {
            for (var i = 0; i < 3; i++)
            {
                statuses.Add((await CreateAsync(client)).StatusCode);
            }
        }
        // Each instance allows half of the tenant-wide 4: two each, however the requests are spread.
        Assert.Equal([HttpStatusCode.Created, HttpStatusCode.Created, HttpStatusCode.TooManyRequests,
            HttpStatusCode.Created, HttpStatusCode.Created, HttpStatusCode.TooManyRequests], statuses);
    }
}
