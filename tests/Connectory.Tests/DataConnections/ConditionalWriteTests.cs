using System.Net;
using System.Net.Http.Json;
using Connectory.Data;
using Connectory.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Connectory.Tests.DataConnections;

/// <summary>ETag, If-Match and If-None-Match on single connections (RFC 9110 §13), in both namespaces.</summary>
public sealed class ConditionalWriteTests(ConnectoryFactory factory) : IClassFixture<ConnectoryFactory>
{
    static Dictionary<string, object?> Update(string id, string name) => new()
    {
        ["qID"] = id,
        ["qEngineObjectID"] = id,
        ["qName"] = name,
        ["qType"] = "QvRestConnector.exe",
        ["qConnectStatement"] = ConnectionApi.RestStatement(),
        ["datasourceID"] = "rest",
    };

    internal static Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string path, object? body, params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }
        return client.SendAsync(request);
    }

    internal static string ETag(HttpResponseMessage response)
    {
        Assert.True(response.Headers.TryGetValues("ETag", out var values), $"{(int)response.StatusCode} without an ETag");
        var tag = Assert.Single(values);
        Assert.Matches("^\"[0-9]+-[0-9a-f]+\"$", tag);
        return tag;
    }

    static async Task<string> CurrentTagAsync(HttpClient client, string id, string prefix = "/api/v1")
    {
        var response = await client.GetAsync($"{prefix}/data-connections/{id}");
        await ApiAssert.OkAsync(response);
        return ETag(response);
    }

    static object[] Rename(string name) => [new { op = "replace", path = "/qName", value = name }];

    [Fact]
    public async Task EveryReadAndWriteAnswerCarriesTheTagOfTheVersionItShows()
    {
        var tenant = await factory.NewTenantAsync();
        var created = await tenant.Admin.PostConnectionAsync(ConnectionApi.Body("tagged"));
        await ApiAssert.OkAsync(created, HttpStatusCode.Created);
        var first = ETag(created);
        var id = (await created.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).Str("qID");
        Assert.Equal(first, await CurrentTagAsync(tenant.Admin, id));
        Assert.Equal(first, await CurrentTagAsync(tenant.Admin, id, "/api/connectivity"));

        var patched = await tenant.Admin.PatchConnectionAsync(id, Rename("tagged 2"));
        await ApiAssert.OkAsync(patched, HttpStatusCode.NoContent);
        var second = ETag(patched);
        Assert.NotEqual(first, second);
        Assert.Equal(second, await CurrentTagAsync(tenant.Admin, id));

        await ApiAssert.OkAsync(await SendAsync(tenant.Admin, HttpMethod.Put, $"{ConnectionApi.Path}/{id}", Update(id, "tagged 3")), HttpStatusCode.NoContent);
        var third = await CurrentTagAsync(tenant.Admin, id);
        Assert.NotEqual(second, third);

        var copy = await tenant.Admin.PostAsJsonAsync($"{ConnectionApi.Path}/actions/duplicate", new { id });
        await ApiAssert.OkAsync(copy, HttpStatusCode.Created);
        ETag(copy);
    }

    [Fact]
    public async Task AStaleIfMatchIs412AndChangesNothing()
    {
        var tenant = await factory.NewTenantAsync();
        var id = await tenant.Admin.NewConnectionAsync("stale");
        var read = await CurrentTagAsync(tenant.Admin, id);
        await ApiAssert.OkAsync(await tenant.Admin.PatchConnectionAsync(id, Rename("moved on")), HttpStatusCode.NoContent);
        var current = await CurrentTagAsync(tenant.Admin, id);

        foreach (var prefix in new[] { "/api/v1", "/api/connectivity" })
        {
            var path = $"{prefix}/data-connections/{id}";
            var put = await ApiAssert.ErrorAsync(await SendAsync(tenant.Admin, HttpMethod.Put, path, Update(id, "lost"), ("If-Match", read)), HttpStatusCode.PreconditionFailed, "DCERROR-0091");
            Assert.Contains(current, put.Detail(), StringComparison.Ordinal);
            await ApiAssert.ErrorAsync(await SendAsync(tenant.Admin, HttpMethod.Patch, path, Rename("lost"), ("If-Match", read)), HttpStatusCode.PreconditionFailed, "DCERROR-0091");
            await ApiAssert.ErrorAsync(await SendAsync(tenant.Admin, HttpMethod.Delete, path, null, ("If-Match", read)), HttpStatusCode.PreconditionFailed, "DCERROR-0091");
        }
        Assert.Equal("moved on", (await tenant.Admin.GetConnectionAsync(id)).Str("qName"));
        Assert.Equal(current, await CurrentTagAsync(tenant.Admin, id));

        var patched = await SendAsync(tenant.Admin, HttpMethod.Patch, $"{ConnectionApi.Path}/{id}", Rename("careful"), ("If-Match", current));
        await ApiAssert.OkAsync(patched, HttpStatusCode.NoContent);
        var next = ETag(patched);
        await ApiAssert.OkAsync(await SendAsync(tenant.Admin, HttpMethod.Put, $"/api/connectivity/data-connections/{id}", Update(id, "careful 2"), ("If-Match", next)), HttpStatusCode.NoContent);
        var last = await CurrentTagAsync(tenant.Admin, id);
        await ApiAssert.OkAsync(await SendAsync(tenant.Admin, HttpMethod.Delete, $"{ConnectionApi.Path}/{id}", null, ("If-Match", last)), HttpStatusCode.NoContent);
        await ApiAssert.ErrorAsync(await tenant.Admin.GetAsync($"{ConnectionApi.Path}/{id}"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task IfMatchIsReadAsRfc9110Says()
    {
        var tenant = await factory.NewTenantAsync();
        var id = await tenant.Admin.NewConnectionAsync("lists");
        var path = $"{ConnectionApi.Path}/{id}";

        // Weak tags never match If-Match's strong comparison, even the current one.
        var tag = await CurrentTagAsync(tenant.Admin, id);
        await ApiAssert.ErrorAsync(await SendAsync(tenant.Admin, HttpMethod.Patch, path, Rename("weak"), ("If-Match", "W/" + tag)), HttpStatusCode.PreconditionFailed, "DCERROR-0091");

        // A list matches when any member does, across one line or several.
        await ApiAssert.OkAsync(await SendAsync(tenant.Admin, HttpMethod.Patch, path, Rename("list"), ("If-Match", $"\"1-0\", W/{tag} ,, {tag}")), HttpStatusCode.NoContent);
        tag = await CurrentTagAsync(tenant.Admin, id);
        var twoLines = new HttpRequestMessage(HttpMethod.Patch, path) { Content = JsonContent.Create(Rename("lines")) };
        twoLines.Headers.TryAddWithoutValidation("If-Match", "\"nope\"");
        twoLines.Headers.TryAddWithoutValidation("If-Match", tag);
        await ApiAssert.OkAsync(await tenant.Admin.SendAsync(twoLines), HttpStatusCode.NoContent);

        // * matches any current representation.
        await ApiAssert.OkAsync(await SendAsync(tenant.Admin, HttpMethod.Patch, path, Rename("star"), ("If-Match", "*")), HttpStatusCode.NoContent);

        // If-None-Match on a write fails when the connection exists (*) or has a listed tag (weak comparison).
        tag = await CurrentTagAsync(tenant.Admin, id);
        await ApiAssert.ErrorAsync(await SendAsync(tenant.Admin, HttpMethod.Patch, path, Rename("none"), ("If-None-Match", "*")), HttpStatusCode.PreconditionFailed, "DCERROR-0091");
        await ApiAssert.ErrorAsync(await SendAsync(tenant.Admin, HttpMethod.Patch, path, Rename("none"), ("If-None-Match", "W/" + tag)), HttpStatusCode.PreconditionFailed, "DCERROR-0091");
        await ApiAssert.OkAsync(await SendAsync(tenant.Admin, HttpMethod.Patch, path, Rename("other"), ("If-None-Match", "\"1-0\"")), HttpStatusCode.NoContent);

        // Malformed fields are a 400 that names the field; nothing is written.
        foreach (var malformed in new[] { "abc", "\"unterminated", "\"a\" \"b\"", "\"a\", *", "W/abc", "\"a\"x", ",", "\"sp ace\"" })
        {
            var error = await ApiAssert.ErrorAsync(await SendAsync(tenant.Admin, HttpMethod.Patch, path, Rename("malformed"), ("If-Match", malformed)), HttpStatusCode.BadRequest, "DCERROR-0010");
            Assert.Contains("If-Match", error.Detail(), StringComparison.Ordinal);
        }
        await ApiAssert.ErrorAsync(await SendAsync(tenant.Admin, HttpMethod.Delete, path, null, ("If-None-Match", "nope")), HttpStatusCode.BadRequest, "DCERROR-0010");
        await ApiAssert.ErrorAsync(await SendAsync(tenant.Admin, HttpMethod.Post, ConnectionApi.Path, ConnectionApi.Body("x"), ("If-Match", "bad")), HttpStatusCode.BadRequest, "DCERROR-0010");
        Assert.Equal("other", (await tenant.Admin.GetConnectionAsync(id)).Str("qName"));
    }

    [Fact]
    public async Task CreateWithIfNoneMatchStarIsAConflictWhenTheNameOrIdExists()
    {
        var tenant = await factory.NewTenantAsync();
        var body = ConnectionApi.Body("only once");
        var created = await SendAsync(tenant.Admin, HttpMethod.Post, ConnectionApi.Path, body, ("If-None-Match", "*"));
        await ApiAssert.OkAsync(created, HttpStatusCode.Created);
        var id = (await created.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).Str("qID");
        await ApiAssert.ErrorAsync(await SendAsync(tenant.Admin, HttpMethod.Post, ConnectionApi.Path, body, ("If-None-Match", "*")), HttpStatusCode.Conflict, "DCERROR-0090");
        var sameId = ConnectionApi.Body("another name");
        sameId["qID"] = id;
        await ApiAssert.ErrorAsync(await SendAsync(tenant.Admin, HttpMethod.Post, "/api/connectivity/data-connections", sameId, ("If-None-Match", "*")), HttpStatusCode.Conflict, "DCERROR-0090");
    }

    [Fact]
    public async Task WithoutConditionsTheLastWriterWins()
    {
        var tenant = await factory.NewTenantAsync();
        var id = await tenant.Admin.NewConnectionAsync("blind");
        var writes = Enumerable.Range(0, 6).Select(i => SendAsync(tenant.Admin, HttpMethod.Put, $"{ConnectionApi.Path}/{id}", Update(id, $"blind {i}"))).ToList();
        foreach (var response in await Task.WhenAll(writes))
        {
            await ApiAssert.OkAsync(response, HttpStatusCode.NoContent);
        }
        // Each write raised the version once: the tag counts them.
        Assert.StartsWith("\"7-", await CurrentTagAsync(tenant.Admin, id), StringComparison.Ordinal);
    }

    [Fact]
    public async Task OfTwoConcurrentPutsWithTheSameIfMatchExactlyOneApplies()
    {
        var tenant = await factory.NewTenantAsync();
        var other = factory.Client(null);
        other.DefaultRequestHeaders.Authorization = tenant.Admin.DefaultRequestHeaders.Authorization;
        var id = await tenant.Admin.NewConnectionAsync("race");
        for (var round = 0; round < 12; round++)
        {
            var tag = await CurrentTagAsync(tenant.Admin, id);
            var path = $"{ConnectionApi.Path}/{id}";
            var answers = await Task.WhenAll(
                SendAsync(tenant.Admin, HttpMethod.Put, path, Update(id, $"a{round}"), ("If-Match", tag)),
                SendAsync(other, HttpMethod.Put, path, Update(id, $"b{round}"), ("If-Match", tag)));
            var statuses = answers.Select(a => a.StatusCode).Order().ToList();
            Assert.Equal(new[] { HttpStatusCode.NoContent, HttpStatusCode.PreconditionFailed }, statuses);
            await ApiAssert.ErrorAsync(answers.Single(a => a.StatusCode == HttpStatusCode.PreconditionFailed), HttpStatusCode.PreconditionFailed, "DCERROR-0091");
            var winner = answers[0].StatusCode == HttpStatusCode.NoContent ? $"a{round}" : $"b{round}";
            Assert.Equal(winner, (await tenant.Admin.GetConnectionAsync(id)).Str("qName"));
        }
    }

    /// <summary>
    /// The save itself checks the version: two writers that both read version N, the second waiting on the first's
    /// open transaction, leave one write; the second finds no row at version N.
    /// </summary>
    [Fact]
    public async Task TheVersionCheckAndTheWriteAreOneStatement()
    {
        var tenant = await factory.NewTenantAsync();
        var id = await tenant.Admin.NewConnectionAsync("atomic");
        await using var first = factory.Services.CreateAsyncScope();
        await using var second = factory.Services.CreateAsyncScope();
        first.ServiceProvider.GetRequiredService<TenantScope>().TenantId = tenant.Id;
        second.ServiceProvider.GetRequiredService<TenantScope>().TenantId = tenant.Id;
        var a = first.ServiceProvider.GetRequiredService<ConnectoryDb>();
        var b = second.ServiceProvider.GetRequiredService<ConnectoryDb>();
        var rowA = await a.DataConnections.IgnoreQueryFilters().SingleAsync(c => c.Id == id);
        var rowB = await b.DataConnections.IgnoreQueryFilters().SingleAsync(c => c.Id == id);
        Assert.Equal(rowA.Version, rowB.Version);
        (rowA.RequiredVersion, rowB.RequiredVersion) = (rowA.Version, rowB.Version);
        rowA.Rename("atomic a");
        rowB.Rename("atomic b");

        await using (var transaction = await a.Database.BeginTransactionAsync())
        {
            await a.SaveChangesAsync();
            // B's save starts while A's row change is uncommitted: PostgreSQL makes it wait on A's row lock, SQLite on A's write lock.
            var late = Task.Run(() => b.SaveChangesAsync());
            await Task.Delay(200);
            await transaction.CommitAsync();
            await Assert.ThrowsAsync<DbUpdateConcurrencyException>(() => late);
        }
        Assert.Equal("atomic a", (await tenant.Admin.GetConnectionAsync(id)).Str("qName"));

        // Unconditional, B's change is written over A's: Qlik's last writer wins.
        rowB.RequiredVersion = null;
        await b.SaveChangesAsync();
        Assert.Equal("atomic b", (await tenant.Admin.GetConnectionAsync(id)).Str("qName"));
        Assert.Equal(rowA.Version + 1, rowB.Version);
    }

    [Fact]
    public async Task AnotherTenantsConnectionIsNotFoundWhateverTheConditions()
    {
        var mine = await factory.NewTenantAsync();
        var theirs = await factory.NewTenantAsync();
        var id = await theirs.Admin.NewConnectionAsync("theirs");
        var tag = await CurrentTagAsync(theirs.Admin, id);
        foreach (var header in new[] { ("If-Match", tag), ("If-Match", "*"), ("If-None-Match", "*"), ("If-Match", "\"0-0\"") })
        {
            var path = $"{ConnectionApi.Path}/{id}";
            await ApiAssert.ErrorAsync(await SendAsync(mine.Admin, HttpMethod.Patch, path, Rename("x"), header), HttpStatusCode.NotFound);
            await ApiAssert.ErrorAsync(await SendAsync(mine.Admin, HttpMethod.Delete, path, null, header), HttpStatusCode.NotFound);
            var get = await mine.Admin.GetAsync(path);
            Assert.False(get.Headers.Contains("ETag"));
        }
        Assert.Equal(tag, await CurrentTagAsync(theirs.Admin, id));
    }
}
