using System.Net;
using Connectory.Tests.DataConnections;
using Connectory.Tests.Support;

namespace Connectory.Tests.DataCredentials;

/// <summary>ETag, If-Match and If-None-Match on single credentials.</summary>
public sealed class CredentialConditionalTests(ConnectoryFactory factory) : IClassFixture<ConnectoryFactory>
{
    const string Path = "/api/v1/data-credentials";

    static object Body(string name, string password = "pw") => new { qName = name, qType = "QvOdbcConnectorPackage.exe", qUsername = "user", qPassword = password };

    static object[] Rename(string name) => [new { op = "replace", path = "/qName", value = name }];

    static async Task<string> TagAsync(HttpClient client, string id, string prefix = "/api/v1")
    {
        var response = await client.GetAsync($"{prefix}/data-credentials/{id}");
        await ApiAssert.OkAsync(response);
        return ConditionalWriteTests.ETag(response);
    }

    [Fact]
    public async Task WritesHonourIfMatchAndEveryWriteChangesTheTag()
    {
        var tenant = await factory.NewTenantAsync();
        var id = await tenant.Admin.NewCredentialAsync("kept");
        var first = await TagAsync(tenant.Admin, id);
        Assert.Equal(first, await TagAsync(tenant.Admin, id, "/api/connectivity"));

        var patched = await ConditionalWriteTests.SendAsync(tenant.Admin, HttpMethod.Patch, $"{Path}/{id}", Rename("kept 2"), ("If-Match", first));
        await ApiAssert.OkAsync(patched, HttpStatusCode.NoContent);
        var second = ConditionalWriteTests.ETag(patched);
        Assert.NotEqual(first, second);
        Assert.Equal(second, await TagAsync(tenant.Admin, id));

        // The stale tag is refused for every write, and nothing changes.
        await ApiAssert.ErrorAsync(await ConditionalWriteTests.SendAsync(tenant.Admin, HttpMethod.Patch, $"{Path}/{id}", Rename("lost"), ("If-Match", first)), HttpStatusCode.PreconditionFailed, "DCERROR-0091");
        await ApiAssert.ErrorAsync(await ConditionalWriteTests.SendAsync(tenant.Admin, HttpMethod.Put, $"{Path}/{id}", Body("lost"), ("If-Match", first)), HttpStatusCode.PreconditionFailed, "DCERROR-0091");
        await ApiAssert.ErrorAsync(await ConditionalWriteTests.SendAsync(tenant.Admin, HttpMethod.Delete, $"/api/connectivity/data-credentials/{id}", null, ("If-Match", first)), HttpStatusCode.PreconditionFailed, "DCERROR-0091");
        await ApiAssert.ErrorAsync(await ConditionalWriteTests.SendAsync(tenant.Admin, HttpMethod.Patch, $"{Path}/{id}", Rename("weak"), ("If-Match", "W/" + second)), HttpStatusCode.PreconditionFailed, "DCERROR-0091");
        Assert.Equal("kept 2", (await tenant.Admin.GetAsync($"{Path}/{id}").JsonAsync()).Str("qName"));
        Assert.Equal(second, await TagAsync(tenant.Admin, id));

        await ApiAssert.OkAsync(await ConditionalWriteTests.SendAsync(tenant.Admin, HttpMethod.Put, $"{Path}/{id}", Body("kept 3"), ("If-Match", second)), HttpStatusCode.NoContent);
        var third = await TagAsync(tenant.Admin, id);
        await ApiAssert.OkAsync(await ConditionalWriteTests.SendAsync(tenant.Admin, HttpMethod.Delete, $"{Path}/{id}", null, ("If-Match", third)), HttpStatusCode.NoContent);
        await ApiAssert.ErrorAsync(await tenant.Admin.GetAsync($"{Path}/{id}"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task PutWithIfNoneMatchStarCreatesOnlyOnce()
    {
        var tenant = await factory.NewTenantAsync();
        var id = Guid.NewGuid().ToString();
        // If-Match needs a credential to match: none yet.
        await ApiAssert.ErrorAsync(await ConditionalWriteTests.SendAsync(tenant.Admin, HttpMethod.Put, $"{Path}/{id}", Body("new"), ("If-Match", "*")), HttpStatusCode.PreconditionFailed, "DCERROR-0091");
        await ApiAssert.OkAsync(await ConditionalWriteTests.SendAsync(tenant.Admin, HttpMethod.Put, $"{Path}/{id}", Body("new"), ("If-None-Match", "*")), HttpStatusCode.NoContent);
        await ApiAssert.ErrorAsync(await ConditionalWriteTests.SendAsync(tenant.Admin, HttpMethod.Put, $"{Path}/{id}", Body("again"), ("If-None-Match", "*")), HttpStatusCode.PreconditionFailed, "DCERROR-0091");
        await ApiAssert.ErrorAsync(await ConditionalWriteTests.SendAsync(tenant.Admin, HttpMethod.Put, $"{Path}/new?byCredentialName=true", Body("new"), ("If-None-Match", "*")), HttpStatusCode.PreconditionFailed, "DCERROR-0091");
        await ApiAssert.ErrorAsync(await ConditionalWriteTests.SendAsync(tenant.Admin, HttpMethod.Put, $"{Path}/{id}", Body("again"), ("If-None-Match", "W/x")), HttpStatusCode.BadRequest, "DCERROR-0010");
        Assert.Equal("new", (await tenant.Admin.GetAsync($"{Path}/{id}").JsonAsync()).Str("qName"));
    }

    [Fact]
    public async Task OfTwoConcurrentPatchesWithTheSameIfMatchExactlyOneApplies()
    {
        var tenant = await factory.NewTenantAsync();
        var other = factory.Client(null);
        other.DefaultRequestHeaders.Authorization = tenant.Admin.DefaultRequestHeaders.Authorization;
        var id = await tenant.Admin.NewCredentialAsync("race");
        for (var round = 0; round < 8; round++)
        {
            var tag = await TagAsync(tenant.Admin, id);
            var answers = await Task.WhenAll(
                ConditionalWriteTests.SendAsync(tenant.Admin, HttpMethod.Patch, $"{Path}/{id}", Rename($"a{round}"), ("If-Match", tag)),
                ConditionalWriteTests.SendAsync(other, HttpMethod.Patch, $"{Path}/{id}", Rename($"b{round}"), ("If-Match", tag)));
            Assert.Equal(new[] { HttpStatusCode.NoContent, HttpStatusCode.PreconditionFailed }, answers.Select(a => a.StatusCode).Order());
        }
    }

    [Fact]
    public async Task AnotherUsersCredentialIsNotFoundWhateverTheConditions()
    {
        var tenant = await factory.NewTenantAsync();
        var user = await tenant.NewUserAsync();
        var id = await tenant.Admin.NewCredentialAsync("admin's");
        var tag = await TagAsync(tenant.Admin, id);
        await ApiAssert.ErrorAsync(await ConditionalWriteTests.SendAsync(user.Client, HttpMethod.Patch, $"{Path}/{id}", Rename("x"), ("If-Match", tag)), HttpStatusCode.NotFound);
        await ApiAssert.ErrorAsync(await ConditionalWriteTests.SendAsync(user.Client, HttpMethod.Put, $"{Path}/{id}", Body("x"), ("If-Match", tag)), HttpStatusCode.NotFound);
        Assert.Equal(tag, await TagAsync(tenant.Admin, id));
    }
}
