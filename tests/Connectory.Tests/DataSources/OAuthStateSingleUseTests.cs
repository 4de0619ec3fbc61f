using System.Net;
using System.Net.Http.Json;
using Connectory.Tests.Support;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;

namespace Connectory.Tests.DataSources;

/// <summary>An authorize URL's state is good for one exchange: again, at once, or on another instance, it is refused.</summary>
public sealed class OAuthStateSingleUseTests : IClassFixture<OAuthApp>
{
    readonly OAuthApp app;

    public OAuthStateSingleUseTests(OAuthApp app)
    {
        app.Reset();
        this.app = app;
    }

    static async Task<string> StateAsync(HttpClient client)
    {
        var body = await client.PostAsJsonAsync("/api/v1/data-connections",
            new { qName = "ignored", datasourceID = "dropbox", connectionProperties = new { }, authUrlOnly = true }).JsonAsync(HttpStatusCode.Created);
        return QueryHelpers.ParseQuery(new Uri(body.GetProperty("authUrl").GetString()!).Query)["state"].ToString();
    }

    static Task<HttpResponseMessage> CreateAsync(HttpClient client, string state, string name) =>
        client.PostAsJsonAsync("/api/v1/data-connections", new
        {
            qName = name,
            datasourceID = "dropbox",
            connectionProperties = new { authCode = "good-code", state, rootPath = "/reports" },
        });

    [Fact]
    public async Task AStateRedeemedOnceIsRefusedTheSecondTime()
    {
        var tenant = await app.Factory.NewTenantAsync();
        var state = await StateAsync(tenant.Admin);
        await ApiAssert.OkAsync(await CreateAsync(tenant.Admin, state, "first"), HttpStatusCode.Created);

        var again = await ApiAssert.ErrorAsync(await CreateAsync(tenant.Admin, state, "second"), HttpStatusCode.BadRequest);
        Assert.Contains("used already", again.GetProperty("detail").GetString());
        Assert.Single(app.Server.Requests);
        var kept = await app.Factory.WithDbAsync(db => db.OAuthStateRedemptions.IgnoreQueryFilters().Where(r => r.TenantId == tenant.Id).ToListAsync());
        var row = Assert.Single(kept);
        Assert.Equal(64, row.StateHash.Length);
        Assert.DoesNotContain(row.StateHash, state, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TwoConcurrentRedemptionsOnTwoInstancesExactlyOneSucceeds()
    {
        using var other = app.Factory.Restarted();
        var tenant = await app.Factory.NewTenantAsync();
        var state = await StateAsync(tenant.Admin);
        var token = tenant.Admin.DefaultRequestHeaders.Authorization!.Parameter;

        var answers = await Task.WhenAll(
            CreateAsync(tenant.Admin, state, "here"),
            CreateAsync(other.Client(token), state, "there"));

        Assert.Equal([HttpStatusCode.Created, HttpStatusCode.BadRequest], answers.Select(a => a.StatusCode).Order());
        var refused = await ApiAssert.ErrorAsync(answers.Single(a => a.StatusCode == HttpStatusCode.BadRequest), HttpStatusCode.BadRequest);
        Assert.Contains("used already", refused.GetProperty("detail").GetString());
        Assert.Single(app.Server.Requests);
        var names = await tenant.Admin.GetAsync("/api/v1/data-connections?noDatafiles=true").JsonAsync();
        Assert.Single(names.GetProperty("data").EnumerateArray());
    }

    [Fact]
    public async Task TwoConcurrentRedemptionsOnOneInstanceExactlyOneSucceeds()
    {
        var tenant = await app.Factory.NewTenantAsync();
        var state = await StateAsync(tenant.Admin);

        var answers = await Task.WhenAll(Enumerable.Range(0, 4).Select(i => CreateAsync(tenant.Admin, state, $"box-{i}")));

        Assert.Single(answers, a => a.StatusCode == HttpStatusCode.Created);
        Assert.All(answers.Where(a => a.StatusCode != HttpStatusCode.Created), a => Assert.Equal(HttpStatusCode.BadRequest, a.StatusCode));
        Assert.Single(app.Server.Requests);
    }

    [Fact]
    public async Task ExpiredRedemptionsArePurgedByALaterOne()
    {
        var tenant = await app.Factory.NewTenantAsync();
        await ApiAssert.OkAsync(await CreateAsync(tenant.Admin, await StateAsync(tenant.Admin), "old"), HttpStatusCode.Created);
        app.Factory.Clock.Offset = TimeSpan.FromHours(1);
        await ApiAssert.OkAsync(await CreateAsync(tenant.Admin, await StateAsync(tenant.Admin), "new"), HttpStatusCode.Created);

        var kept = await app.Factory.WithDbAsync(db => db.OAuthStateRedemptions.IgnoreQueryFilters().CountAsync(r => r.TenantId == tenant.Id));
        Assert.Equal(1, kept);
    }
}
