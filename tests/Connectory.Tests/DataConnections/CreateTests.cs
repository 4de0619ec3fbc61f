using System.Net.Http.Json;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Connectory.Tests.Support;

namespace Connectory.Tests.DataConnections;

public sealed partial class CreateTests(ConnectoryFactory factory) : IClassFixture<ConnectoryFactory>
{
    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")]
    private static partial Regex Rfc3339Millis();

    [Fact]
    public async Task CreateAnswers201WithTheConnectionCreateResponse()
    {
        var tenant = await factory.NewTenantAsync();
        var space = await tenant.NewSpaceAsync("shared");
        var body = ConnectionApi.Body("Sales", space);
        body["tags"] = new[] { "a", "b" };
        var response = await tenant.Admin.PostConnectionAsync(body);
        var created = await ApiAssert.OkAsync(response, HttpStatusCode.Created);
        var id = created.Str("qID");
        Assert.True(Guid.TryParseExact(id, "D", out _));
        Assert.Equal(id, created.Str("qEngineObjectID"));
        Assert.Equal("Sales", created.Str("qName"));
        Assert.Equal("QvRestConnector.exe", created.Str("qType"));
        Assert.Equal(ConnectionApi.RestStatement(), created.Str("qConnectStatement"));
        Assert.Equal("0", created.Str("qLogOn"));
        Assert.Equal(0, created.GetProperty("qArchitecture").GetInt32());
        Assert.False(created.GetProperty("qSeparateCredentials").GetBoolean());
        Assert.Equal(space, created.Str("space"));
        Assert.Equal(tenant.AdminUserId, created.Str("user"));
        Assert.Equal(["list", "read", "update", "delete", "change_owner", "change_space"], created.GetProperty("privileges").Strings());
        var self = created.GetProperty("links").GetProperty("self").Str("href");
        Assert.Equal(new Uri(factory.BaseAddress, $"{ConnectionApi.Path}/{id}"), new Uri(self));
        Assert.Equal(new Uri(self), response.Headers.Location);
        Assert.Matches(Rfc3339Millis(), created.Str("created"));
        Assert.Equal(created.Str("created"), created.Str("updated"));

        var read = await tenant.Admin.GetAsync(self).JsonAsync();
        Assert.Equal(tenant.Id, read.Str("tenant"));
        Assert.Equal(tenant.AdminUserId, read.Str("user"));
        Assert.Equal(space, read.Str("space"));
        Assert.Equal("rest", read.Str("datasourceID"));
        Assert.Equal(["a", "b"], read.GetProperty("tags").Strings());
        Assert.Matches(Rfc3339Millis(), read.Str("created"));
        Assert.Matches(Rfc3339Millis(), read.Str("updated"));
    }

    [Theory]
    [InlineData("qName")]
    [InlineData("qConnectStatement")]
    [InlineData("qType")]
    [InlineData("datasourceID")]
    public async Task MissingRequiredFieldIsNamed(string field)
    {
        var tenant = await factory.NewTenantAsync();
        var body = ConnectionApi.Body("x");
        body.Remove(field);
        var error = await ApiAssert.ErrorAsync(await tenant.Admin.PostConnectionAsync(body), HttpStatusCode.BadRequest);
        Assert.Contains($"'{field}'", error.Detail(), StringComparison.Ordinal);
        if (field != "datasourceID")
        {
            body[field] = "  ";
            error = await ApiAssert.ErrorAsync(await tenant.Admin.PostConnectionAsync(body), HttpStatusCode.BadRequest);
            Assert.Contains($"'{field}'", error.Detail(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task GivenQidIsKeptAndMustBeAFreeUuid()
    {
        var tenant = await factory.NewTenantAsync();
        var id = Guid.NewGuid().ToString();
        var created = await tenant.Admin.CreateAsync(new Dictionary<string, object?>(ConnectionApi.Body("given")) { ["qID"] = id });
        Assert.Equal(id, created.Str("qID"));
        Assert.Equal(id, created.Str("qEngineObjectID"));
        Assert.Equal(id, (await tenant.Admin.GetConnectionAsync(id)).Str("qEngineObjectID"));

        var taken = await ApiAssert.ErrorAsync(await tenant.Admin.PostConnectionAsync(new Dictionary<string, object?>(ConnectionApi.Body("other")) { ["qID"] = id }), HttpStatusCode.Conflict, "DCERROR-0090");
        Assert.Contains(id, taken.Detail(), StringComparison.Ordinal);
        // Ids are per tenant: another tenant's answer is the one for a free id, so it learns nothing of this one.
        var other = await factory.NewTenantAsync();
        var theirs = await other.Admin.CreateAsync(new Dictionary<string, object?>(ConnectionApi.Body("other")) { ["qID"] = id, ["qConnectionSecret"] = "theirs" });
        Assert.Equal(id, theirs.Str("qID"));
        Assert.Equal("other", (await other.Admin.GetConnectionAsync(id)).Str("qName"));
        Assert.Equal("given", (await tenant.Admin.GetConnectionAsync(id)).Str("qName"));
        Assert.Equal(HttpStatusCode.NoContent, (await other.Admin.DeleteAsync($"{ConnectionApi.Path}/{id}")).StatusCode);
        Assert.Equal("given", (await tenant.Admin.GetConnectionAsync(id)).Str("qName"));

        foreach (var bad in new[] { "not-a-uuid", "12345", "{" + Guid.NewGuid() + "}", Guid.NewGuid().ToString("N") })
        {
            var error = await ApiAssert.ErrorAsync(await tenant.Admin.PostConnectionAsync(new Dictionary<string, object?>(ConnectionApi.Body("bad")) { ["qID"] = bad }), HttpStatusCode.BadRequest);
            Assert.Contains("qID", error.Detail(), StringComparison.Ordinal);
        }
        var empty = await tenant.Admin.CreateAsync(new Dictionary<string, object?>(ConnectionApi.Body("empty-id")) { ["qID"] = "" });
        Assert.True(Guid.TryParse(empty.Str("qID"), out _));
    }

    [Fact]
    public async Task EngineObjectIdMustMatchQid()
    {
        var tenant = await factory.NewTenantAsync();
        var body = new Dictionary<string, object?>(ConnectionApi.Body("mismatch")) { ["qID"] = Guid.NewGuid().ToString(), ["qEngineObjectID"] = Guid.NewGuid().ToString() };
        var error = await ApiAssert.ErrorAsync(await tenant.Admin.PostConnectionAsync(body), HttpStatusCode.BadRequest);
        Assert.Contains("qEngineObjectID", error.Detail(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"0\"", 0)]
    [InlineData("\"1\"", 1)]
    [InlineData("\"LOG_ON_SERVICE_USER\"", 0)]
    [InlineData("\"LOG_ON_CURRENT_USER\"", 1)]
    [InlineData("1", 1)]
    public async Task LogOnValuesReadBackAsNumbers(string json, int expected)
    {
        var tenant = await factory.NewTenantAsync();
        var body = ConnectionApi.Body("logon");
        body["qLogOn"] = JsonDocument.Parse(json).RootElement;
        var created = await tenant.Admin.CreateAsync(body);
        Assert.Equal(expected.ToString(System.Globalization.CultureInfo.InvariantCulture), created.Str("qLogOn"));
        Assert.Equal(expected, (await tenant.Admin.GetConnectionAsync(created.Str("qID"))).GetProperty("qLogOn").GetInt32());
    }

    [Theory]
    [InlineData("\"2\"")]
    [InlineData("\"LOG_ON_NOBODY\"")]
    [InlineData("true")]
    [InlineData("[]")]
    public async Task BadLogOnIsRejected(string json)
    {
        var tenant = await factory.NewTenantAsync();
        var body = ConnectionApi.Body("logon");
        body["qLogOn"] = JsonDocument.Parse(json).RootElement;
        var error = await ApiAssert.ErrorAsync(await tenant.Admin.PostConnectionAsync(body), HttpStatusCode.BadRequest);
        Assert.Contains("qLogOn", error.Detail(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0", 0, true)]
    [InlineData("1", 1, true)]
    [InlineData("2", 0, false)]
    [InlineData("-1", 0, false)]
    [InlineData("\"x\"", 0, false)]
    public async Task ArchitectureIsZeroOrOne(string json, int expected, bool valid)
    {
        var tenant = await factory.NewTenantAsync();
        var body = ConnectionApi.Body("arch");
        body["qArchitecture"] = JsonDocument.Parse(json).RootElement;
        var response = await tenant.Admin.PostConnectionAsync(body);
        if (!valid)
        {
            var error = await ApiAssert.ErrorAsync(response, HttpStatusCode.BadRequest);
            Assert.Contains("qArchitecture", error.Detail(), StringComparison.Ordinal);
            return;
        }
        var created = await ApiAssert.OkAsync(response, HttpStatusCode.Created);
        Assert.Equal(expected, (await tenant.Admin.GetConnectionAsync(created.Str("qID"))).GetProperty("qArchitecture").GetInt32());
    }

    [Fact]
    public async Task SpaceMustExistBeVisibleAndAllowCreating()
    {
        var tenant = await factory.NewTenantAsync();
        var space = await tenant.NewSpaceAsync("shared");
        var consumer = await tenant.NewUserAsync();
        var stranger = await tenant.NewUserAsync();
        await tenant.AssignAsync(space, consumer.Id, "consumer");

        var unknown = await ApiAssert.ErrorAsync(await tenant.Admin.PostConnectionAsync(ConnectionApi.Body("x", "000000000000000000000000")), HttpStatusCode.NotFound);
        Assert.Contains("000000000000000000000000", unknown.Detail(), StringComparison.Ordinal);
        await ApiAssert.ErrorAsync(await stranger.Client.PostConnectionAsync(ConnectionApi.Body("x", space)), HttpStatusCode.NotFound);
        var forbidden = await ApiAssert.ErrorAsync(await consumer.Client.PostConnectionAsync(ConnectionApi.Body("x", space)), HttpStatusCode.Forbidden, "DCERROR-0030");
        Assert.Contains(space, forbidden.Detail(), StringComparison.Ordinal);
        // Another tenant's space does not exist for this tenant.
        var other = await factory.NewTenantAsync();
        var foreignSpace = await other.NewSpaceAsync("shared");
        await ApiAssert.ErrorAsync(await tenant.Admin.PostConnectionAsync(ConnectionApi.Body("x", foreignSpace)), HttpStatusCode.NotFound);

        await tenant.AssignAsync(space, stranger.Id, "producer");
        Assert.Equal(space, (await stranger.Client.CreateAsync(ConnectionApi.Body("x", space))).Str("space"));
    }

    [Fact]
    public async Task WithoutSpaceTheConnectionGoesToThePersonalSpace()
    {
        var tenant = await factory.NewTenantAsync();
        var user = await tenant.NewUserAsync();
        var created = await user.Client.CreateAsync(ConnectionApi.Body("mine"));
        Assert.Equal("", created.Str("space"));
        Assert.Equal(user.Id, created.Str("user"));
        Assert.Equal(["mine"], (await user.Client.ListAsync("personal=true&noDatafiles=true")).Names());
        var body = ConnectionApi.Body("mine-too");
        body["space"] = "";
        Assert.Equal("", (await user.Client.CreateAsync(body)).Str("space"));
    }

    [Fact]
    public async Task NamesAreUniquePerSpaceIgnoringCase()
    {
        var tenant = await factory.NewTenantAsync();
        var s1 = await tenant.NewSpaceAsync("shared");
        var s2 = await tenant.NewSpaceAsync("shared");
        var user = await tenant.NewUserAsync();
        await tenant.Admin.NewConnectionAsync("Orders", s1);
        var conflict = await ApiAssert.ErrorAsync(await tenant.Admin.PostConnectionAsync(ConnectionApi.Body("Orders", s1)), HttpStatusCode.Conflict, "DCERROR-0090");
        Assert.Contains("Orders", conflict.Detail(), StringComparison.Ordinal);
        await ApiAssert.ErrorAsync(await tenant.Admin.PostConnectionAsync(ConnectionApi.Body("ORDERS ", s1)), HttpStatusCode.Conflict, "DCERROR-0090");
        await tenant.Admin.NewConnectionAsync("Orders", s2);
        await tenant.Admin.NewConnectionAsync("Orders");
        await user.Client.NewConnectionAsync("Orders");
        await ApiAssert.ErrorAsync(await user.Client.PostConnectionAsync(ConnectionApi.Body("orders")), HttpStatusCode.Conflict, "DCERROR-0090");
    }

    [Theory]
    [InlineData("DataFiles")]
    [InlineData("datafiles")]
    [InlineData(" DATAFILES ")]
    public async Task ReservedNameIsRejected(string name)
    {
        var tenant = await factory.NewTenantAsync();
        var error = await ApiAssert.ErrorAsync(await tenant.Admin.PostConnectionAsync(ConnectionApi.Body(name)), HttpStatusCode.BadRequest);
        Assert.Contains("DataFiles", error.Detail(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AtMost32TagsOfAtMost256BytesEach()
    {
        var tenant = await factory.NewTenantAsync();
        var body = ConnectionApi.Body("tags");
        body["tags"] = Enumerable.Range(0, 32).Select(i => $"t{i}").ToArray();
        await tenant.Admin.CreateAsync(body);

        body = ConnectionApi.Body("tags-33");
        body["tags"] = Enumerable.Range(0, 33).Select(i => $"t{i}").ToArray();
        Assert.Contains("32", (await ApiAssert.ErrorAsync(await tenant.Admin.PostConnectionAsync(body), HttpStatusCode.BadRequest)).Detail(), StringComparison.Ordinal);

        body = ConnectionApi.Body("tag-256");
        body["tags"] = new[] { new string('x', 254) + "é" };
        await tenant.Admin.CreateAsync(body);

        body = ConnectionApi.Body("tag-257");
        body["tags"] = new[] { new string('x', 255) + "é" };
        Assert.Contains("256 bytes", (await ApiAssert.ErrorAsync(await tenant.Admin.PostConnectionAsync(body), HttpStatusCode.BadRequest)).Detail(), StringComparison.Ordinal);

        body = ConnectionApi.Body("tag-null");
        body["tags"] = new[] { "ok", null };
        await ApiAssert.ErrorAsync(await tenant.Admin.PostConnectionAsync(body), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task CredentialsAndSecretAreStoredEncryptedAndNeverReturned()
    {
        var tenant = await factory.NewTenantAsync();
        var password = "pw-" + Guid.NewGuid().ToString("N");
        var username = "user-" + Guid.NewGuid().ToString("N")[..8];
        var secret = "secret-" + Guid.NewGuid().ToString("N");
        var body = ConnectionApi.Body("with-credentials");
        body["qUsername"] = username;
        body["qPassword"] = password;
        body["qConnectionSecret"] = secret;
        var response = await tenant.Admin.PostConnectionAsync(body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.DoesNotContain(password, text, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
        var created = JsonDocument.Parse(text).RootElement;
        Assert.False(string.IsNullOrEmpty(created.Str("qCredentialsID")));
        var id = created.Str("qID");

        var got = await (await tenant.Admin.GetAsync($"{ConnectionApi.Path}/{id}")).Content.ReadAsStringAsync();
        Assert.DoesNotContain(password, got, StringComparison.Ordinal);
        Assert.DoesNotContain("qPassword", got, StringComparison.Ordinal);
        var listed = await (await tenant.Admin.GetAsync($"{ConnectionApi.Path}?includeQris=true&extended=true")).Content.ReadAsStringAsync();
        Assert.DoesNotContain(password, listed, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, listed, StringComparison.Ordinal);
        Assert.DoesNotContain(password, string.Join('\n', factory.Logs), StringComparison.Ordinal);
        Assert.DoesNotContain(secret, string.Join('\n', factory.Logs), StringComparison.Ordinal);

        if (!TestDatabase.IsPostgres)
        {
            foreach (var file in Directory.EnumerateFiles(factory.DataDir, "*", SearchOption.AllDirectories))
            {
                var bytes = ReadShared(file);
                foreach (var plain in new[] { password, secret })
                {
                    Assert.True(bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(plain)) < 0, $"{plain} is in plaintext in {Path.GetFileName(file)}");
                    Assert.True(bytes.AsSpan().IndexOf(Encoding.Unicode.GetBytes(plain)) < 0, $"{plain} is in UTF-16 plaintext in {Path.GetFileName(file)}");
                }
            }
            Assert.Contains(Directory.EnumerateFiles(factory.DataDir, "*", SearchOption.AllDirectories), f => ReadShared(f).AsSpan().IndexOf(Encoding.UTF8.GetBytes(username)) >= 0);
        }
    }

    static byte[] ReadShared(string file)
    {
        using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    [Fact]
    public async Task LinkedCredentialMustExistAndBelongToTheCaller()
    {
        var tenant = await factory.NewTenantAsync();
        var user = await tenant.NewUserAsync();
        var byId = ConnectionApi.Body("by-id");
        byId["qCredentialsID"] = Guid.NewGuid().ToString();
        await ApiAssert.ErrorAsync(await tenant.Admin.PostConnectionAsync(byId), HttpStatusCode.NotFound);
        var byName = ConnectionApi.Body("by-name");
        byName["qCredentialsName"] = "no such credential";
        var notFound = await ApiAssert.ErrorAsync(await tenant.Admin.PostConnectionAsync(byName), HttpStatusCode.NotFound);
        Assert.Contains("no such credential", notFound.Detail(), StringComparison.Ordinal);

        var source = ConnectionApi.Body("source");
        source["qUsername"] = "u";
        source["qPassword"] = "p";
        source["qCredentialsName"] = "shared-cred";
        var created = await tenant.Admin.CreateAsync(source);
        var credentialId = created.Str("qCredentialsID");
        Assert.Equal("shared-cred", created.Str("qCredentialsName"));

        byId["qCredentialsID"] = credentialId;
        Assert.Equal(credentialId, (await tenant.Admin.CreateAsync(byId)).Str("qCredentialsID"));
        byName["qCredentialsName"] = "SHARED-cred";
        Assert.Equal(credentialId, (await tenant.Admin.CreateAsync(byName)).Str("qCredentialsID"));
        // Another user cannot link the admin's credential.
        var foreign = ConnectionApi.Body("foreign");
        foreign["qCredentialsID"] = credentialId;
        await ApiAssert.ErrorAsync(await user.Client.PostConnectionAsync(foreign), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task ConcurrentCreatesOfOneNameGiveOneConnectionAndConflicts()
    {
        var tenant = await factory.NewTenantAsync();
        var space = await tenant.NewSpaceAsync("shared");
        var responses = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => tenant.Admin.PostConnectionAsync(ConnectionApi.Body("Raced", space))));
        foreach (var response in responses.Where(r => r.StatusCode != HttpStatusCode.Created))
        {
            await ApiAssert.ErrorAsync(response, HttpStatusCode.Conflict, "DCERROR-0090");
        }
        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Created);
        Assert.Equal(["Raced"], (await tenant.Admin.ListAsync($"spaceId={space}&noDatafiles=true")).Names());

        var id = Guid.NewGuid().ToString();
        var sameId = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            tenant.Admin.PostConnectionAsync(new Dictionary<string, object?>(ConnectionApi.Body($"same-id-{i}", space)) { ["qID"] = id })));
        foreach (var response in sameId.Where(r => r.StatusCode != HttpStatusCode.Created))
        {
            await ApiAssert.ErrorAsync(response, HttpStatusCode.Conflict, "DCERROR-0090");
        }
        Assert.Single(sameId, r => r.StatusCode == HttpStatusCode.Created);
    }

    [Fact]
    public async Task CreatesCommittedTogetherStayWholeOneByOne()
    {
        // Concurrent creates may share one commit; each is still all or nothing. Every name is asked for twice, with
        // a credential: one of each pair lands with its credential, the other is a 409 that leaves nothing behind.
        var tenant = await factory.NewTenantAsync();
        var space = await tenant.NewSpaceAsync("shared");
        var bodies = Enumerable.Range(0, 40).Select(i => new Dictionary<string, object?>(ConnectionApi.Body($"pair-{i / 2}", space))
        {
            ["qUsername"] = $"user-{i}",
            ["qPassword"] = $"secret-{i}",
        });
        var responses = await Task.WhenAll(bodies.Select(b => tenant.Admin.PostConnectionAsync(b)));
        foreach (var response in responses.Where(r => r.StatusCode != HttpStatusCode.Created))
        {
            await ApiAssert.ErrorAsync(response, HttpStatusCode.Conflict, "DCERROR-0090");
        }
        Assert.Equal(20, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"pair-{i}").Order(StringComparer.Ordinal),
            (await tenant.Admin.ListAsync($"spaceId={space}&noDatafiles=true")).Names().Order(StringComparer.Ordinal));
        var credentials = new HashSet<string>();
        foreach (var response in responses.Where(r => r.StatusCode == HttpStatusCode.Created))
        {
            var created = await response.Content.ReadFromJsonAsync<JsonElement>();
            var credential = created.GetProperty("qCredentialsID").GetString()!;
            Assert.True(credentials.Add(credential));
            var stored = await tenant.Admin.GetFromJsonAsync<JsonElement>($"/api/v1/data-credentials/{credential}");
            Assert.Equal(created.GetProperty("qID").GetString(), stored.GetProperty("connectionId").GetString());
        }
        // The losers' credentials were undone with their connections: no orphans.
        var orphans = await tenant.Admin.PostAsJsonAsync("/api/v1/data-credentials/actions/filter-orphan", new { });
        Assert.Equal(HttpStatusCode.OK, orphans.StatusCode);
        Assert.Empty((await orphans.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("data").EnumerateArray());
    }

    [Theory]
    [InlineData("qType", 257)]
    [InlineData("datasourceID", 257)]
    [InlineData("owner", 257)]
    [InlineData("qUsername", 1025)]
    [InlineData("qCredentialsName", 257)]
    [InlineData("qPassword", 4097)]
    [InlineData("qConnectionSecret", 32769)]
    [InlineData("qName", 257)]
    [InlineData("qConnectStatement", 65537)]
    public async Task OverlongFieldsAreRejectedOnEveryDatabase(string field, int length)
    {
        var tenant = await factory.NewTenantAsync();
        var body = ConnectionApi.Body("long");
        body[field] = new string('x', length);
        if (field == "qCredentialsName")
        {
            body["qUsername"] = "u";
            body["qPassword"] = "p";
        }
        var error = await ApiAssert.ErrorAsync(await tenant.Admin.PostConnectionAsync(body), HttpStatusCode.BadRequest);
        Assert.Contains(field, error.Detail(), StringComparison.Ordinal);

        body[field] = new string('x', length - 1);
        body["qName"] = field == "qName" ? body["qName"] : "long";
        await tenant.Admin.CreateAsync(body);
    }

    [Fact]
    public async Task ThirtyTwoTagsOfTwoHundredFiftySixBytesFitWhateverTheirLetters()
    {
        var tenant = await factory.NewTenantAsync();
        var tags = Enumerable.Range(0, 32).Select(i => $"{i:D2}" + new string('é', 127)).ToArray();
        Assert.All(tags, t => Assert.Equal(256, Encoding.UTF8.GetByteCount(t)));
        var body = ConnectionApi.Body("unicode-tags");
        body["tags"] = tags;
        var id = (await tenant.Admin.CreateAsync(body)).Str("qID");
        Assert.Equal(tags, (await tenant.Admin.GetConnectionAsync(id)).GetProperty("tags").Strings());

        // Control characters are escaped when stored; so many that they overflow the store is a 400, not a failure.
        body = ConnectionApi.Body("control-tags");
        body["tags"] = Enumerable.Range(0, 32).Select(i => new string('\u0001', 250) + $"{i:D2}").ToArray();
        var error = await ApiAssert.ErrorAsync(await tenant.Admin.PostConnectionAsync(body), HttpStatusCode.BadRequest);
        Assert.Contains("tags", error.Detail(), StringComparison.Ordinal);
    }
}
