using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Connectory.DataCredentials;
using Connectory.Secrets;
using Connectory.Tests.Secrets;
using Connectory.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Connectory.Tests.Qrs;

public sealed class QrsApiTests(ConnectoryFactory factory) : IClassFixture<ConnectoryFactory>
{
    async Task<(TestTenant Tenant, QrsClient Qrs)> NewAsync()
    {
        var tenant = await factory.NewTenantAsync();
        return (tenant, new QrsClient(tenant.Admin));
    }

    static async Task<string> TextAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        return text;
    }

    [Fact]
    public async Task EveryRequestNeedsTheSameXrfkeyInQueryAndHeader()
    {
        var (_, qrs) = await NewAsync();
        const string failure = "XSRF prevention check failed. Possible XSRF discovered.";
        async Task<HttpResponseMessage> Send(string? query, string? header, string headerName = "X-Qlik-Xrfkey")
        {
            var request = new HttpRequestMessage(HttpMethod.Get, "/qrs/dataconnection" + (query is null ? "" : "?" + query));
            if (header is not null)
            {
                request.Headers.Add(headerName, header);
            }
            return await qrs.Http.SendAsync(request);
        }

        Assert.Equal(failure, await TextAsync(await Send(null, null), HttpStatusCode.Forbidden));
        Assert.Equal(failure, await TextAsync(await Send("xrfkey=abcdefghij012345", null), HttpStatusCode.Forbidden));
        Assert.Equal(failure, await TextAsync(await Send(null, "abcdefghij012345"), HttpStatusCode.Forbidden));
        Assert.Equal(failure, await TextAsync(await Send("xrfkey=abcdefghij01234", "abcdefghij01234"), HttpStatusCode.Forbidden));
        Assert.Equal(failure, await TextAsync(await Send("xrfkey=abcdefghij0123456", "abcdefghij0123456"), HttpStatusCode.Forbidden));
        Assert.Equal(failure, await TextAsync(await Send("xrfkey=abcdefghij-12345", "abcdefghij-12345"), HttpStatusCode.Forbidden));
        Assert.Equal(failure, await TextAsync(await Send("xrfkey=abcdefghij012345", "ABCDEFGHIJ012345"), HttpStatusCode.Forbidden));
        Assert.Equal(failure, await TextAsync(await Send("xrfkey=abcdefghij012345&xrfkey=abcdefghij012345", "abcdefghij012345"), HttpStatusCode.Forbidden));

        Assert.Equal(HttpStatusCode.OK, (await Send("XRFKEY=Z0Z0Z0Z0Z0Z0Z0Z0", "Z0Z0Z0Z0Z0Z0Z0Z0", "x-qlik-xrfkey")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Send("Xrfkey=0123456789abcdef", "0123456789abcdef")).StatusCode);
    }

    [Fact]
    public async Task CallersWithoutValidCredentialsGetPlainText401()
    {
        var anonymous = new QrsClient(factory.Client(null));
        Assert.NotEmpty(await TextAsync(await anonymous.GetAsync("/qrs/dataconnection"), HttpStatusCode.Unauthorized));
        var badToken = new QrsClient(factory.Client("cnx_not_a_key"));
        Assert.NotEmpty(await TextAsync(await badToken.GetAsync("/qrs/dataconnection"), HttpStatusCode.Unauthorized));
        // Without trusted proxies configured the user header is ignored.
        var response = await anonymous.SendAsync(HttpMethod.Get, "/qrs/dataconnection", configure: r => r.Headers.Add("X-Qlik-User", "UserDirectory=ACME; UserId=admin"));
        await TextAsync(response, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task QrsErrorsStayPlainTextWhereTheFrameworkAnswers()
    {
        var (_, qrs) = await NewAsync();
        Assert.Equal("Not Found", await TextAsync(await qrs.GetAsync("/qrs/nosuchthing"), HttpStatusCode.NotFound));
        await TextAsync(await qrs.GetAsync("/qrs/dataconnection/not-a-guid"), HttpStatusCode.NotFound);
        await TextAsync(await qrs.SendAsync(HttpMethod.Patch, "/qrs/dataconnection"), HttpStatusCode.MethodNotAllowed);
        var malformed = await qrs.SendAsync(HttpMethod.Post, "/qrs/dataconnection", new StringContent("{\"name\":", System.Text.Encoding.UTF8, "application/json"));
        Assert.StartsWith("The request body is not valid JSON", await TextAsync(malformed, HttpStatusCode.BadRequest));
        var missing = await qrs.PostAsync("/qrs/dataconnection", new { type = "ODBC", connectionstring = "x" });
        Assert.Contains("'name'", await TextAsync(missing, HttpStatusCode.BadRequest));
        Assert.Equal(HttpStatusCode.NotFound, (await qrs.GetAsync($"/qrs/dataconnection/{Guid.NewGuid()}")).StatusCode);
        // The Cloud API keeps its JSON errors.
        await ApiAssert.ErrorAsync(await qrs.Http.GetAsync("/api/v1/nosuchthing"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task ConnectionsAreCreatedReadListedCountedUpdatedAndDeleted()
    {
        var (tenant, qrs) = await NewAsync();
        var created = await qrs.CreateAsync("Sales DB", extra: new { logOn = 1, architecture = 1, tags = new[] { new { name = "finance" } } });
        var id = created.GetProperty("id").GetString()!;
        Assert.Equal(id, created.GetProperty("engineObjectId").GetString());
        Assert.Equal("Sales DB", created.GetProperty("name").GetString());
        Assert.Equal("ODBC", created.GetProperty("type").GetString());
        Assert.Equal("ODBC CONNECT TO [Sales]", created.GetProperty("connectionstring").GetString());
        Assert.Equal(1, created.GetProperty("logOn").GetInt32());
        Assert.Equal(1, created.GetProperty("architecture").GetInt32());
        Assert.Equal("finance", created.GetProperty("tags")[0].GetProperty("name").GetString());
        Assert.Equal("admin", created.GetProperty("owner").GetProperty("userId").GetString());
        Assert.Equal(JsonValueKind.Null, created.GetProperty("privileges").ValueKind);
        Assert.Equal("DataConnection", created.GetProperty("schemaPath").GetString());
        Assert.Equal(0, created.GetProperty("customProperties").GetArrayLength());

        var read = await qrs.GetAsync($"/qrs/dataconnection/{id}").JsonAsync();
        Assert.Equal(created.GetRawText(), read.GetRawText());

        await qrs.CreateAsync("Archive", type: "folder", connectionstring: "C:\\archive");
        var list = await qrs.GetAsync("/qrs/dataconnection").JsonAsync();
        Assert.Equal(["Archive", "Sales DB"], list.EnumerateArray().Select(c => c.GetProperty("name").GetString()));
        Assert.False(list[0].TryGetProperty("owner", out _));
        Assert.True(list[0].TryGetProperty("engineObjectId", out _));
        var full = await qrs.GetAsync("/qrs/dataconnection/full").JsonAsync();
        Assert.Equal("admin", full[0].GetProperty("owner").GetProperty("userId").GetString());
        Assert.Equal(2, (await qrs.GetAsync("/qrs/dataconnection/count").JsonAsync()).GetProperty("value").GetInt32());
        Assert.Equal(1, (await qrs.GetAsync("/qrs/dataconnection/count?filter=type eq 'folder'").JsonAsync()).GetProperty("value").GetInt32());

        factory.Clock.Offset += TimeSpan.FromSeconds(2);
        var edit = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(read.GetRawText())!;
        edit["name"] = JsonSerializer.SerializeToElement("Sales warehouse");
        edit["architecture"] = JsonSerializer.SerializeToElement(2);
        var updated = await qrs.PutAsync($"/qrs/dataconnection/{id}", edit).JsonAsync();
        Assert.Equal("Sales warehouse", updated.GetProperty("name").GetString());
        Assert.Equal(2, updated.GetProperty("architecture").GetInt32());
        Assert.NotEqual(read.GetProperty("modifiedDate").GetString(), updated.GetProperty("modifiedDate").GetString());
        Assert.Equal(read.GetProperty("createdDate").GetString(), updated.GetProperty("createdDate").GetString());

        Assert.Equal(HttpStatusCode.NoContent, (await qrs.DeleteAsync($"/qrs/dataconnection/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await qrs.GetAsync($"/qrs/dataconnection/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await qrs.DeleteAsync($"/qrs/dataconnection/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await tenant.Admin.GetAsync($"/api/v1/data-connections/{id}")).StatusCode);
    }

    [Fact]
    public async Task PutNeedsTheCurrentModifiedDateAndTheSameId()
    {
        var (_, qrs) = await NewAsync();
        var created = await qrs.CreateAsync("Ledger");
        var id = created.GetProperty("id").GetString()!;
        var original = created.GetProperty("modifiedDate").GetString();

        factory.Clock.Offset += TimeSpan.FromSeconds(2);
        var first = await qrs.PutAsync($"/qrs/dataconnection/{id}", new { id, modifiedDate = original, name = "Ledger 2" }).JsonAsync();
        Assert.NotEqual(original, first.GetProperty("modifiedDate").GetString());

        var stale = await qrs.PutAsync($"/qrs/dataconnection/{id}", new { id, modifiedDate = original, name = "Ledger 3" });
        Assert.Contains("modified", await TextAsync(stale, HttpStatusCode.Conflict));
        var missing = await qrs.PutAsync($"/qrs/dataconnection/{id}", new { id, name = "Ledger 4" });
        await TextAsync(missing, HttpStatusCode.Conflict);
        var otherId = await qrs.PutAsync($"/qrs/dataconnection/{id}", new { id = Guid.NewGuid(), modifiedDate = first.GetProperty("modifiedDate").GetString(), name = "Ledger 5" });
        await TextAsync(otherId, HttpStatusCode.BadRequest);
        var noId = await qrs.PutAsync($"/qrs/dataconnection/{id}", new { modifiedDate = first.GetProperty("modifiedDate").GetString(), name = "Ledger 6" });
        await TextAsync(noId, HttpStatusCode.BadRequest);

        var now = await qrs.GetAsync($"/qrs/dataconnection/{id}").JsonAsync();
        Assert.Equal("Ledger 2", now.GetProperty("name").GetString());
        Assert.Equal(first.GetProperty("modifiedDate").GetString(), now.GetProperty("modifiedDate").GetString());

        // Even when the clock reads earlier than the stored date (a clock step, or the same millisecond), a PUT
        // moves modifiedDate forward, so the date it replaced is stale.
        factory.Clock.Offset -= TimeSpan.FromSeconds(10);
        var later = await qrs.PutAsync($"/qrs/dataconnection/{id}", new { id, modifiedDate = first.GetProperty("modifiedDate").GetString() }).JsonAsync();
        Assert.True(
            DateTime.Parse(later.GetProperty("modifiedDate").GetString()!, System.Globalization.CultureInfo.InvariantCulture) > DateTime.Parse(first.GetProperty("modifiedDate").GetString()!, System.Globalization.CultureInfo.InvariantCulture),
            $"{later.GetProperty("modifiedDate")} should be after {first.GetProperty("modifiedDate")}");
        await TextAsync(await qrs.PutAsync($"/qrs/dataconnection/{id}", new { id, modifiedDate = first.GetProperty("modifiedDate").GetString() }), HttpStatusCode.Conflict);
        var unknown = Guid.NewGuid();
        await TextAsync(await qrs.PutAsync($"/qrs/dataconnection/{unknown}", new { id = unknown, modifiedDate = original }), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task APutStampedLaterThanTheStoredModifiedDateApplies()
    {
        // Some QRS clients set modifiedDate to now before a PUT; QSEoW conflicts only on a stored date more recent than the one sent.
        var (_, qrs) = await NewAsync();
        var created = await qrs.CreateAsync("Stamped");
        var id = created.GetProperty("id").GetString()!;
        var stored = DateTime.Parse(created.GetProperty("modifiedDate").GetString()!, System.Globalization.CultureInfo.InvariantCulture).ToUniversalTime();
        var stamped = stored.AddMinutes(5).ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture);

        var put = await qrs.PutAsync($"/qrs/dataconnection/{id}", new { id, modifiedDate = stamped, name = "Stamped 2" }).JsonAsync();
        Assert.Equal("Stamped 2", put.GetProperty("name").GetString());

        // The date it replaced is stale now, and the conflict says which date is the newer one.
        var stale = await TextAsync(await qrs.PutAsync($"/qrs/dataconnection/{id}", new { id, modifiedDate = created.GetProperty("modifiedDate").GetString(), name = "Stamped 3" }), HttpStatusCode.Conflict);
        Assert.Contains($"after the modifiedDate sent ('{created.GetProperty("modifiedDate").GetString()}')", stale, StringComparison.Ordinal);
        Assert.Equal("Stamped 2", (await qrs.GetAsync($"/qrs/dataconnection/{id}").JsonAsync()).GetProperty("name").GetString());
    }

    [Fact]
    public async Task OfConcurrentPutsWithTheSameModifiedDateOnlyOneApplies()
    {
        var (_, qrs) = await NewAsync();
        var created = await qrs.CreateAsync("Contended");
        var id = created.GetProperty("id").GetString()!;
        var modifiedDate = created.GetProperty("modifiedDate").GetString();
        factory.Clock.Offset += TimeSpan.FromSeconds(2);

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => qrs.PutAsync($"/qrs/dataconnection/{id}", new { id, modifiedDate, name = $"Writer {i}" })));
        var winners = responses.Where(r => r.StatusCode == HttpStatusCode.OK).ToList();
        Assert.Single(winners);
        Assert.All(responses.Where(r => r.StatusCode != HttpStatusCode.OK), r => Assert.Equal(HttpStatusCode.Conflict, r.StatusCode));
        var winner = await winners[0].Content.ReadFromJsonAsync<JsonElement>();
        var now = await qrs.GetAsync($"/qrs/dataconnection/{id}").JsonAsync();
        Assert.Equal(winner.GetProperty("name").GetString(), now.GetProperty("name").GetString());
    }

    [Fact]
    public async Task FilterAndOrderByWorkOverHttp()
    {
        var (_, qrs) = await NewAsync();
        await qrs.CreateAsync("alpha", type: "ODBC", extra: new { logOn = 0, tags = new[] { new { name = "EU" } } });
        await qrs.CreateAsync("Beta", type: "folder", connectionstring: "C:\\beta", extra: new { logOn = 1 });
        await qrs.CreateAsync("gamma", type: "ODBC", extra: new { logOn = 1, tags = new[] { new { name = "eu" }, new { name = "US" } } });

        async Task<string[]> Names(string query) =>
            [.. (await qrs.GetAsync("/qrs/dataconnection" + query).JsonAsync()).EnumerateArray().Select(c => c.GetProperty("name").GetString()!)];

        Assert.Equal(["alpha", "Beta", "gamma"], await Names(""));
        Assert.Equal(["gamma", "Beta", "alpha"], await Names("?orderby=name desc"));
        Assert.Equal(["Beta", "gamma", "alpha"], await Names("?orderby=logOn desc, name"));
        Assert.Equal(["gamma"], await Names("?filter=" + Uri.EscapeDataString("type eq 'odbc' and logOn eq LOG_ON_CURRENT_USER")));
        Assert.Equal(["alpha", "gamma"], await Names("?filter=" + Uri.EscapeDataString("tags.name eq 'EU'")));
        Assert.Equal(["alpha", "Beta"], await Names("?filter=" + Uri.EscapeDataString("(name sw 'A' or name ew 'TA') and owner.userId eq 'admin'")));
        Assert.Equal(["Beta"], await Names("?filter=" + Uri.EscapeDataString("connectionstring so 'beta' and owner.userDirectory eq 'CONNECTORY'")));
        Assert.Equal(["alpha", "Beta", "gamma"], await Names("?filter=" + Uri.EscapeDataString("architecture eq x64")));
        Assert.Equal(["alpha", "gamma"], await Names("?filter=" + Uri.EscapeDataString("name eq 'ALPHA' or tags.name eq 'us'")));
        Assert.Equal(["gamma"], await Names("?filter=" + Uri.EscapeDataString("name so 'MM' and logOn eq 1")));
        Assert.Equal(["Beta"], await Names("?filter=" + Uri.EscapeDataString("logOn eq LOG_ON_CURRENT_USER and name ne 'gamma'")));

        foreach (var bad in new[] { "name eq", "nosuch eq 'a'", "(name eq 'a'", "logOn so 1" })
        {
            Assert.Equal("Cannot parse the expression", await TextAsync(await qrs.GetAsync("/qrs/dataconnection?filter=" + Uri.EscapeDataString(bad)), HttpStatusCode.BadRequest));
            Assert.Equal("Cannot parse the expression", await TextAsync(await qrs.GetAsync("/qrs/dataconnection/count?filter=" + Uri.EscapeDataString(bad)), HttpStatusCode.BadRequest));
        }
        await TextAsync(await qrs.GetAsync("/qrs/dataconnection/full?orderby=name%20up"), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task PrivilegesAreListedOnlyWhenAskedAndFollowTheAccessRules()
    {
        var (tenant, qrs) = await NewAsync();
        var created = await qrs.CreateAsync("Shared source");
        var id = created.GetProperty("id").GetString()!;
        var admin = await qrs.GetAsync($"/qrs/dataconnection/{id}?privileges=true").JsonAsync();
        Assert.Equal(["create", "read", "update", "delete", "changeowner"], admin.GetProperty("privileges").EnumerateArray().Select(p => p.GetString()));
        var condensed = await qrs.GetAsync("/qrs/dataconnection?privileges=true").JsonAsync();
        Assert.Equal(5, condensed[0].GetProperty("privileges").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, (await qrs.GetAsync("/qrs/dataconnection?privileges=false").JsonAsync())[0].GetProperty("privileges").ValueKind);

        var reader = await tenant.NewUserAsync();
        var readerQrs = new QrsClient(reader.Client);
        Assert.Equal(0, (await readerQrs.GetAsync("/qrs/dataconnection/count").JsonAsync()).GetProperty("value").GetInt32());
        Assert.Equal(HttpStatusCode.NotFound, (await readerQrs.GetAsync($"/qrs/dataconnection/{id}")).StatusCode);

        var spaceId = (await tenant.Admin.GetFromJsonAsync<JsonElement>($"/api/v1/data-connections/{id}")).GetProperty("space").GetString()!;
        await tenant.AssignAsync(spaceId, reader.Id, "dataconsumer");
        var seen = await readerQrs.GetAsync($"/qrs/dataconnection/{id}?privileges=true").JsonAsync();
        Assert.Equal(["read"], seen.GetProperty("privileges").EnumerateArray().Select(p => p.GetString()));
        var put = await readerQrs.PutAsync($"/qrs/dataconnection/{id}", new { id, modifiedDate = seen.GetProperty("modifiedDate").GetString(), name = "Mine now" });
        await TextAsync(put, HttpStatusCode.Forbidden);
        await TextAsync(await readerQrs.DeleteAsync($"/qrs/dataconnection/{id}"), HttpStatusCode.Forbidden);
        await TextAsync(await readerQrs.PostAsync("/qrs/dataconnection", new { name = "x", type = "ODBC", connectionstring = "y" }), HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task EnumsMapBetweenQrsAndCloud()
    {
        var (tenant, qrs) = await NewAsync();
        async Task<JsonElement> Cloud(string id) => await tenant.Admin.GetAsync($"/api/v1/data-connections/{id}").JsonAsync();

        var x86 = await qrs.CreateAsync("x86", extra: new { architecture = 1, logOn = 1 });
        Assert.Equal(1, (await Cloud(x86.GetProperty("id").GetString()!)).GetProperty("qArchitecture").GetInt32());
        Assert.Equal(1, (await Cloud(x86.GetProperty("id").GetString()!)).GetProperty("qLogOn").GetInt32());
        var x64 = await qrs.CreateAsync("x64", extra: new { architecture = 2, logOn = "LOG_ON_SERVICE_USER" });
        Assert.Equal(0, (await Cloud(x64.GetProperty("id").GetString()!)).GetProperty("qArchitecture").GetInt32());
        Assert.Equal(0, (await Cloud(x64.GetProperty("id").GetString()!)).GetProperty("qLogOn").GetInt32());
        var undefined = await qrs.CreateAsync("undefined", extra: new { architecture = 0 });
        Assert.Equal(0, (await Cloud(undefined.GetProperty("id").GetString()!)).GetProperty("qArchitecture").GetInt32());
        Assert.Equal(2, undefined.GetProperty("architecture").GetInt32());
        var named = await qrs.CreateAsync("named", extra: new { architecture = "x86" });
        Assert.Equal(1, named.GetProperty("architecture").GetInt32());

        await TextAsync(await qrs.PostAsync("/qrs/dataconnection", new { name = "bad", type = "ODBC", connectionstring = "x", architecture = 3 }), HttpStatusCode.BadRequest);
        await TextAsync(await qrs.PostAsync("/qrs/dataconnection", new { name = "bad", type = "ODBC", connectionstring = "x", logOn = 2 }), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task QrsConnectionsAreCloudConnectionsAndTheOtherWayRound()
    {
        var (tenant, qrs) = await NewAsync();
        var created = await qrs.CreateAsync("Warehouse", type: "postgres", connectionstring: "CUSTOM CONNECT TO \"provider=postgres;host=db.example.test;\"",
            extra: new { username = "etl", password = "pa55-word-QRS", tags = new[] { new { name = "finance" } } });
        var id = created.GetProperty("id").GetString()!;
        Assert.Equal("etl", created.GetProperty("username").GetString());
        Assert.Equal(JsonValueKind.Null, created.GetProperty("password").ValueKind);

        var cloud = await tenant.Admin.GetAsync($"/api/v1/data-connections/{id}").JsonAsync();
        Assert.Equal("Warehouse", cloud.GetProperty("qName").GetString());
        Assert.Equal("postgres", cloud.GetProperty("qType").GetString());
        Assert.Equal(created.GetProperty("connectionstring").GetString(), cloud.GetProperty("qConnectStatement").GetString());
        Assert.Equal(["finance"], cloud.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal(tenant.AdminUserId, cloud.GetProperty("user").GetString());
        Assert.False(string.IsNullOrEmpty(cloud.GetProperty("qCredentialsID").GetString()));
        var spaceId = cloud.GetProperty("space").GetString()!;
        var space = await tenant.Admin.GetAsync($"/api/v1/spaces/{spaceId}").JsonAsync();
        Assert.Equal("QSEoW", space.GetProperty("name").GetString());
        Assert.Equal("managed", space.GetProperty("type").GetString());
        var cloudList = await tenant.Admin.GetAsync($"/api/v1/data-connections?spaceId={spaceId}").JsonAsync();
        Assert.Contains(cloudList.GetProperty("data").EnumerateArray(), c => c.GetProperty("qID").GetString() == id);

        var stored = await factory.WithDbAsync(db => db.DataCredentials.IgnoreQueryFilters().Where(c => c.ConnectionId == id).Select(c => c.Password).ToListAsync());
        Assert.Single(stored);
        Assert.DoesNotContain("pa55-word-QRS", stored[0]!, StringComparison.Ordinal);

        var fromCloud = await tenant.Admin.PostAsJsonAsync("/api/v1/data-connections", new
        {
            qName = "Made in Cloud",
            qType = "folder",
            qConnectStatement = "C:\\cloud",
            datasourceID = "folder",
            space = spaceId,
            qArchitecture = 1,
            qLogOn = "1",
            tags = new[] { "ops" },
        }).JsonAsync(HttpStatusCode.Created);
        var cloudId = fromCloud.GetProperty("qID").GetString()!;
        var viaQrs = await qrs.GetAsync($"/qrs/dataconnection/{cloudId}").JsonAsync();
        Assert.Equal("Made in Cloud", viaQrs.GetProperty("name").GetString());
        Assert.Equal("folder", viaQrs.GetProperty("type").GetString());
        Assert.Equal("C:\\cloud", viaQrs.GetProperty("connectionstring").GetString());
        Assert.Equal(1, viaQrs.GetProperty("architecture").GetInt32());
        Assert.Equal(1, viaQrs.GetProperty("logOn").GetInt32());
        Assert.Equal("ops", viaQrs.GetProperty("tags")[0].GetProperty("name").GetString());
        Assert.Equal("admin", viaQrs.GetProperty("owner").GetProperty("userId").GetString());

        // A Cloud change is a QRS change: new values, a new modifiedDate, and the old modifiedDate is now stale.
        factory.Clock.Offset += TimeSpan.FromSeconds(2);
        var patch = await tenant.Admin.PatchAsJsonAsync($"/api/v1/data-connections/{id}", new[] { new { op = "replace", path = "/qName", value = "Warehouse (Cloud)" } });
        Assert.Equal(HttpStatusCode.NoContent, patch.StatusCode);
        var afterPatch = await qrs.GetAsync($"/qrs/dataconnection/{id}").JsonAsync();
        Assert.Equal("Warehouse (Cloud)", afterPatch.GetProperty("name").GetString());
        Assert.NotEqual(created.GetProperty("modifiedDate").GetString(), afterPatch.GetProperty("modifiedDate").GetString());
        await TextAsync(await qrs.PutAsync($"/qrs/dataconnection/{id}", new { id, modifiedDate = created.GetProperty("modifiedDate").GetString(), name = "Lost update" }), HttpStatusCode.Conflict);

        // Connections outside the QRS space are not part of the QRS view.
        var personal = await tenant.Admin.PostAsJsonAsync("/api/v1/data-connections", new { qName = "Personal", qType = "folder", qConnectStatement = "C:\\p", datasourceID = "folder" })
            .JsonAsync(HttpStatusCode.Created);
        Assert.Equal(HttpStatusCode.NotFound, (await qrs.GetAsync($"/qrs/dataconnection/{personal.GetProperty("qID").GetString()}")).StatusCode);
        Assert.Equal(2, (await qrs.GetAsync("/qrs/dataconnection/count").JsonAsync()).GetProperty("value").GetInt32());

        // Names are unique in the QRS space, ignoring case.
        await TextAsync(await qrs.PostAsync("/qrs/dataconnection", new { name = "made IN cloud", type = "ODBC", connectionstring = "x" }), HttpStatusCode.Conflict);

        // Deleted through one API, gone from the other.
        Assert.Equal(HttpStatusCode.NoContent, (await tenant.Admin.DeleteAsync($"/api/v1/data-connections/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await qrs.GetAsync($"/qrs/dataconnection/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await qrs.DeleteAsync($"/qrs/dataconnection/{cloudId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await tenant.Admin.GetAsync($"/api/v1/data-connections/{cloudId}")).StatusCode);
    }

    [Fact]
    public async Task PutMayChangeTheConnectionStringAloneAndTheStoredCredentialsStay()
    {
        var (tenant, qrs) = await NewAsync();
        var created = await qrs.CreateAsync("Share", type: "folder", connectionstring: "\\\\files.example.test\\share",
            extra: new { username = "CORP\\svc", password = "folder-pw-QRS" });
        var id = created.GetProperty("id").GetString()!;
        var credentialId = (await tenant.Admin.GetAsync($"/api/v1/data-connections/{id}").JsonAsync()).GetProperty("qCredentialsID").GetString()!;

        // As a QSEoW client does: the entity read back, with a new path and no password (QRS never returns one).
        var edit = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(created.GetRawText())!;
        edit["connectionstring"] = JsonSerializer.SerializeToElement("\\\\files2.example.test\\archive");
        var updated = await qrs.PutAsync($"/qrs/dataconnection/{id}", edit).JsonAsync();
        Assert.Equal("\\\\files2.example.test\\archive", updated.GetProperty("connectionstring").GetString());
        Assert.Equal("CORP\\svc", updated.GetProperty("username").GetString());
        var cloud = await tenant.Admin.GetAsync($"/api/v1/data-connections/{id}").JsonAsync();
        Assert.Equal(credentialId, cloud.GetProperty("qCredentialsID").GetString());
        var stored = await factory.PasswordAsync(credentialId);
        var protector = factory.Services.GetRequiredService<SecretProtector>();
        Assert.Equal("folder-pw-QRS", protector.TryUnprotect(stored!, new SecretContext(tenant.Id, credentialId, CredentialStore.PasswordField)));

        // A folder connection with a username and no password at all moves the same way.
        var bare = await qrs.CreateAsync("Bare share", type: "folder", connectionstring: "C:\\data", extra: new { username = "svc" });
        var bareEdit = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(bare.GetRawText())!;
        bareEdit["connectionstring"] = JsonSerializer.SerializeToElement("D:\\data");
        Assert.Equal("D:\\data", (await qrs.PutAsync($"/qrs/dataconnection/{bare.GetProperty("id").GetString()}", bareEdit).JsonAsync()).GetProperty("connectionstring").GetString());

        // The Cloud face keeps its own rule for the same connection.
        var patch = await tenant.Admin.PatchAsJsonAsync($"/api/v1/data-connections/{id}", new[] { new { op = "replace", path = "/qConnectStatement", value = "E:\\elsewhere" } });
        await ApiAssert.ErrorAsync(patch, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task ManyCreatesAllOrNothing()
    {
        var (_, qrs) = await NewAsync();
        var created = await qrs.PostAsync("/qrs/dataconnection/many", new[]
        {
            new { name = "one", type = "ODBC", connectionstring = "a" },
            new { name = "two", type = "folder", connectionstring = "b" },
        }).JsonAsync(HttpStatusCode.Created);
        Assert.Equal(["one", "two"], created.EnumerateArray().Select(c => c.GetProperty("name").GetString()));

        var failed = await qrs.PostAsync("/qrs/dataconnection/many", new[]
        {
            new { name = "three", type = "ODBC", connectionstring = "c" },
            new { name = "ONE", type = "ODBC", connectionstring = "d" },
        });
        await TextAsync(failed, HttpStatusCode.Conflict);
        Assert.Equal(2, (await qrs.GetAsync("/qrs/dataconnection/count").JsonAsync()).GetProperty("value").GetInt32());
        await TextAsync(await qrs.PostAsync("/qrs/dataconnection/many", new { name = "not a list" }), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task TheDefaultEntityHasEveryMemberAtItsDefault()
    {
        var (_, qrs) = await NewAsync();
        var entity = await qrs.GetAsync("/qrs/about/api/default/dataconnection").JsonAsync();
        Assert.Equal("00000000-0000-0000-0000-000000000000", entity.GetProperty("id").GetString());
        Assert.Equal("", entity.GetProperty("name").GetString());
        Assert.Equal(0, entity.GetProperty("logOn").GetInt32());
        Assert.Equal(0, entity.GetProperty("architecture").GetInt32());
        Assert.Equal(0, entity.GetProperty("tags").GetArrayLength());
        Assert.Equal("DataConnection", entity.GetProperty("schemaPath").GetString());
        foreach (var member in new[] { "createdDate", "modifiedDate", "modifiedByUserName", "customProperties", "owner", "connectionstring", "type", "engineObjectId", "username", "password", "privileges" })
        {
            Assert.True(entity.TryGetProperty(member, out _), member);
        }
    }

    [Fact]
    public async Task AnAdminMayNameAnotherOwner()
    {
        var (tenant, qrs) = await NewAsync();
        var user = await tenant.NewUserAsync();
        var created = await qrs.CreateAsync("Theirs", extra: new { owner = new { userDirectory = "CONNECTORY", userId = user.Subject } });
        Assert.Equal(user.Subject, created.GetProperty("owner").GetProperty("userId").GetString());
        Assert.Equal(user.Id, (await tenant.Admin.GetAsync($"/api/v1/data-connections/{created.GetProperty("id").GetString()}").JsonAsync()).GetProperty("user").GetString());
        var byId = await qrs.CreateAsync("Theirs too", extra: new { owner = new { id = created.GetProperty("owner").GetProperty("id").GetString() } });
        Assert.Equal(user.Subject, byId.GetProperty("owner").GetProperty("userId").GetString());
        await TextAsync(await qrs.PostAsync("/qrs/dataconnection", new { name = "Nobody's", type = "ODBC", connectionstring = "x", owner = new { userDirectory = "ACME", userId = "ghost" } }), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task TenantsNeverSeeEachOthersQrsConnections()
    {
        var (_, qrsA) = await NewAsync();
        var (_, qrsB) = await NewAsync();
        var created = await qrsA.CreateAsync("Tenant A only");
        var id = created.GetProperty("id").GetString()!;
        await qrsB.CreateAsync("Tenant B");

        Assert.Equal(HttpStatusCode.NotFound, (await qrsB.GetAsync($"/qrs/dataconnection/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await qrsB.PutAsync($"/qrs/dataconnection/{id}", new { id, modifiedDate = created.GetProperty("modifiedDate").GetString(), name = "stolen" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await qrsB.DeleteAsync($"/qrs/dataconnection/{id}")).StatusCode);
        Assert.Equal(["Tenant B"], (await qrsB.GetAsync("/qrs/dataconnection/full").JsonAsync()).EnumerateArray().Select(c => c.GetProperty("name").GetString()));
        Assert.Equal(1, (await qrsB.GetAsync("/qrs/dataconnection/count").JsonAsync()).GetProperty("value").GetInt32());
        // The same name is free in another tenant's QRS space.
        await qrsB.CreateAsync("Tenant A only");
        Assert.Equal("Tenant A only", (await qrsA.GetAsync($"/qrs/dataconnection/{id}").JsonAsync()).GetProperty("name").GetString());
    }
}
