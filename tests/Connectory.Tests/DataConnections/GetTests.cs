using System.Net;
using System.Net.Http.Json;
using Connectory.Tests.Support;

namespace Connectory.Tests.DataConnections;

public sealed class GetTests(ConnectoryFactory factory) : IClassFixture<ConnectoryFactory>
{
    [Theory]
    [InlineData("not-a-uuid")]
    [InlineData("123")]
    [InlineData("3fa85f64571745622b3fc2c963f66afa6")]
    public async Task NonUuidIdIsRejectedByEveryVerb(string id)
    {
        var tenant = await factory.NewTenantAsync();
        var path = $"{ConnectionApi.Path}/{id}";
        Assert.Contains("qID", (await ApiAssert.ErrorAsync(await tenant.Admin.GetAsync(path), HttpStatusCode.BadRequest)).Detail(), StringComparison.Ordinal);
        await ApiAssert.ErrorAsync(await tenant.Admin.PatchConnectionAsync(id, new[] { new { op = "replace", path = "/qName", value = "n" } }), HttpStatusCode.BadRequest);
        await ApiAssert.ErrorAsync(await tenant.Admin.PutAsJsonAsync(path, new { qID = id, qEngineObjectID = id, qName = "n", qType = "t", qConnectStatement = "s" }), HttpStatusCode.BadRequest);
        await ApiAssert.ErrorAsync(await tenant.Admin.DeleteAsync(path), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task UnknownOrInvisibleConnectionIsNotFound()
    {
        var tenant = await factory.NewTenantAsync();
        var other = await factory.NewTenantAsync();
        var user = await tenant.NewUserAsync();
        var space = await tenant.NewSpaceAsync("shared");
        var personal = await tenant.Admin.NewConnectionAsync("admins-personal");
        var inSpace = await tenant.Admin.NewConnectionAsync("in-space", space);
        var foreign = await other.Admin.NewConnectionAsync("foreign");

        await ApiAssert.ErrorAsync(await tenant.Admin.GetAsync($"{ConnectionApi.Path}/{Guid.NewGuid()}"), HttpStatusCode.NotFound);
        foreach (var id in new[] { personal, inSpace, foreign })
        {
            var error = await ApiAssert.ErrorAsync(await user.Client.GetAsync($"{ConnectionApi.Path}/{id}"), HttpStatusCode.NotFound);
            Assert.Contains(id, error.Detail(), StringComparison.Ordinal);
            await ApiAssert.ErrorAsync(await user.Client.DeleteAsync($"{ConnectionApi.Path}/{id}"), HttpStatusCode.NotFound);
        }
        await ApiAssert.ErrorAsync(await tenant.Admin.GetAsync($"{ConnectionApi.Path}/{foreign}"), HttpStatusCode.NotFound);
        await ApiAssert.ErrorAsync(await tenant.Admin.DeleteAsync($"{ConnectionApi.Path}/{foreign}"), HttpStatusCode.NotFound);
        Assert.Equal(HttpStatusCode.OK, (await other.Admin.GetAsync($"{ConnectionApi.Path}/{foreign}")).StatusCode);

        await tenant.AssignAsync(space, user.Id, "dataconsumer");
        Assert.Equal("in-space", (await user.Client.GetConnectionAsync(inSpace)).Str("qName"));
    }

    [Fact]
    public async Task ByConnectionNameInASpaceOrThePersonalSpace()
    {
        var tenant = await factory.NewTenantAsync();
        var space = await tenant.NewSpaceAsync("shared");
        var inSpace = await tenant.Admin.NewConnectionAsync("Shared Name", space);
        var personal = await tenant.Admin.NewConnectionAsync("Shared Name");

        Assert.Equal(inSpace, (await tenant.Admin.GetConnectionAsync(Uri.EscapeDataString("Shared Name"), $"?type=connectionname&spaceId={space}")).Str("qID"));
        Assert.Equal(personal, (await tenant.Admin.GetConnectionAsync(Uri.EscapeDataString("shared name"), "?type=connectionname")).Str("qID"));
        await ApiAssert.ErrorAsync(await tenant.Admin.GetAsync($"{ConnectionApi.Path}/nothing?type=connectionname"), HttpStatusCode.NotFound);
        await ApiAssert.ErrorAsync(await tenant.Admin.GetAsync($"{ConnectionApi.Path}/nothing?type=connectionname&spaceId={space}"), HttpStatusCode.NotFound);
        var badType = await ApiAssert.ErrorAsync(await tenant.Admin.GetAsync($"{ConnectionApi.Path}/{inSpace}?type=name"), HttpStatusCode.BadRequest);
        Assert.Contains("type", badType.Detail(), StringComparison.Ordinal);
        // A user outside the space cannot find it by name either.
        var user = await tenant.NewUserAsync();
        await ApiAssert.ErrorAsync(await user.Client.GetAsync($"{ConnectionApi.Path}/{Uri.EscapeDataString("Shared Name")}?type=connectionname&spaceId={space}"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task ParseConnectionReturnsPropertiesWithoutSecrets()
    {
        var tenant = await factory.NewTenantAsync();
        var id = await tenant.Admin.NewConnectionAsync("parsed",
            statement: "CUSTOM CONNECT TO \"provider=QvRestConnector.exe;url=https://api.example.test/v1;method=GET;password=hunter2;queryParameters=a%2one%1b%2two;\"");
        var plain = await tenant.Admin.GetConnectionAsync(id);
        Assert.False(plain.TryGetProperty("connectionProperties", out _));
        var parsed = await tenant.Admin.GetConnectionAsync(id, "?parseConnection=true");
        var properties = parsed.GetProperty("connectionProperties");
        Assert.Equal("https://api.example.test/v1", properties.Str("url"));
        Assert.Equal("GET", properties.Str("method"));
        Assert.False(properties.TryGetProperty("password", out _));
        var list = properties.GetProperty("queryParameters");
        Assert.Equal("a", list[0].Str("name"));
        Assert.Equal("one", list[0].Str("value"));
        Assert.Equal("b", list[1].Str("name"));
        Assert.Equal("two", list[1].Str("value"));

        var odbc = await tenant.Admin.NewConnectionAsync("odbc", statement: "ODBC CONNECT64 TO [Driver={PostgreSQL};Server=pg.example.test;Port=5432;]");
        var odbcProperties = (await tenant.Admin.GetConnectionAsync(odbc, "?parseConnection=true")).GetProperty("connectionProperties");
        Assert.Equal("ODBC", odbcProperties.Str("connectorType"));
        Assert.Equal("64", odbcProperties.Str("bitness"));
        Assert.Equal("pg.example.test", odbcProperties.Str("Server"));

        var withOptions = await tenant.Admin.NewConnectionAsync("odbc-options", statement: "ODBC CONNECT TO [MyDsn] (XUserId is reader, XPassword is opt-secret-9)");
        var optionProperties = (await tenant.Admin.GetConnectionAsync(withOptions, "?parseConnection=true")).GetProperty("connectionProperties");
        Assert.Equal("MyDsn", optionProperties.Str("DSN"));
        Assert.Equal("reader", optionProperties.Str("XUserId"));
        Assert.DoesNotContain("opt-secret-9", optionProperties.GetRawText(), StringComparison.Ordinal);
        var folder = await tenant.Admin.NewConnectionAsync("folder", statement: "lib://Team:DataFiles/sub");
        Assert.Equal("lib://Team:DataFiles/sub", (await tenant.Admin.GetConnectionAsync(folder, "?parseConnection=true")).GetProperty("connectionProperties").Str("path"));
    }

    [Fact]
    public async Task ConnectionSecretIsShownOnlyOnGetAndOnlyToThoseWhoMayUpdate()
    {
        var tenant = await factory.NewTenantAsync();
        var space = await tenant.NewSpaceAsync("shared");
        var producer = await tenant.NewUserAsync();
        var consumer = await tenant.NewUserAsync();
        await tenant.AssignAsync(space, producer.Id, "producer");
        await tenant.AssignAsync(space, consumer.Id, "dataconsumer");
        var id = await producer.Client.NewConnectionAsync("secretive", space, edit: b => b["qConnectionSecret"] = "s3cr3t-value");

        Assert.Equal("s3cr3t-value", (await producer.Client.GetConnectionAsync(id)).Str("qConnectionSecret"));
        Assert.Equal("s3cr3t-value", (await tenant.Admin.GetConnectionAsync(id)).Str("qConnectionSecret"));
        Assert.False((await consumer.Client.GetConnectionAsync(id)).TryGetProperty("qConnectionSecret", out _));
        var listed = await (await producer.Client.GetAsync($"{ConnectionApi.Path}?spaceId={space}")).Content.ReadAsStringAsync();
        Assert.DoesNotContain("s3cr3t-value", listed, StringComparison.Ordinal);
        Assert.DoesNotContain("qConnectionSecret", listed, StringComparison.Ordinal);
        var withoutSecret = await producer.Client.NewConnectionAsync("no-secret", space);
        Assert.False((await producer.Client.GetConnectionAsync(withoutSecret)).TryGetProperty("qConnectionSecret", out _));
    }

    [Fact]
    public async Task GetShowsTheReadersPrivilegesAndQri()
    {
        var tenant = await factory.NewTenantAsync();
        var space = await tenant.NewSpaceAsync("shared");
        var consumer = await tenant.NewUserAsync();
        await tenant.AssignAsync(space, consumer.Id, "dataconsumer");
        var id = await tenant.Admin.NewConnectionAsync("priv", space);
        var asConsumer = await consumer.Client.GetConnectionAsync(id);
        Assert.Equal(["list", "read"], asConsumer.GetProperty("privileges").Strings());
        Assert.StartsWith("qri:api:rest://", asConsumer.Str("qri"), StringComparison.Ordinal);
        Assert.Equal(new Uri(factory.BaseAddress, $"{ConnectionApi.Path}/{id}"), new Uri(asConsumer.GetProperty("links").GetProperty("self").Str("href")));
    }

    [Fact]
    public async Task AnotherTenantsConnectionIsNotFoundForEveryVerb()
    {
        var tenant = await factory.NewTenantAsync();
        var other = await factory.NewTenantAsync();
        var id = await other.Admin.NewConnectionAsync("theirs", edit: b => b["qConnectionSecret"] = "x");
        var path = $"{ConnectionApi.Path}/{id}";
        await ApiAssert.ErrorAsync(await tenant.Admin.GetAsync(path), HttpStatusCode.NotFound);
        await ApiAssert.ErrorAsync(await tenant.Admin.PatchConnectionAsync(id, new[] { new { op = "replace", path = "/qName", value = "mine" } }), HttpStatusCode.NotFound);
        await ApiAssert.ErrorAsync(await tenant.Admin.PutAsJsonAsync(path, new { qID = id, qEngineObjectID = id, qName = "mine", qType = "t", qConnectStatement = "s" }), HttpStatusCode.NotFound);
        await ApiAssert.ErrorAsync(await tenant.Admin.DeleteAsync(path), HttpStatusCode.NotFound);
        await ApiAssert.ErrorAsync(await tenant.Admin.PostAsJsonAsync($"{ConnectionApi.Path}/actions/duplicate", new { id }), HttpStatusCode.NotFound);
        var bulk = await tenant.Admin.PostAsJsonAsync($"{ConnectionApi.Path}/actions/update", new { connections = new[] { new { id, ownerId = tenant.AdminUserId } } }).JsonAsync(HttpStatusCode.MultiStatus);
        Assert.Equal(404, bulk.GetProperty("data")[0].GetProperty("status").GetInt32());
        var theirs = await other.Admin.GetConnectionAsync(id);
        Assert.Equal("theirs", theirs.Str("qName"));
        Assert.Equal(other.AdminUserId, theirs.Str("user"));
    }

    [Fact]
    public async Task SeparatedCredentialsShowOnlyTheReadersOwnCredential()
    {
        var tenant = await factory.NewTenantAsync();
        var space = await tenant.NewSpaceAsync("shared");
        var reader = await tenant.NewUserAsync();
        await tenant.AssignAsync(space, reader.Id, "dataconsumer");
        var created = await tenant.Admin.CreateAsync(new Dictionary<string, object?>(ConnectionApi.Body("separated", space))
        {
            ["qSeparateCredentials"] = true,
            ["qUsername"] = "admin-user",
            ["qPassword"] = "admin-pw",
        });
        var id = created.Str("qID");
        Assert.True(created.GetProperty("qSeparateCredentials").GetBoolean());
        var asOwner = await tenant.Admin.GetConnectionAsync(id);
        Assert.True(asOwner.GetProperty("qSeparateCredentials").GetBoolean());
        Assert.False(string.IsNullOrEmpty(asOwner.Str("qCredentialsID")));
        var asReader = await reader.Client.GetConnectionAsync(id);
        Assert.False(asReader.TryGetProperty("qCredentialsID", out _), asReader.GetRawText());
        var listed = (await reader.Client.ListAsync($"spaceId={space}&noDatafiles=true")).GetProperty("data")[0];
        Assert.False(listed.TryGetProperty("qCredentialsID", out _));

        var linked = ConnectionApi.Body("separated-linked", space);
        linked["qSeparateCredentials"] = true;
        linked["qCredentialsID"] = asOwner.Str("qCredentialsID");
        await ApiAssert.ErrorAsync(await tenant.Admin.PostConnectionAsync(linked), HttpStatusCode.BadRequest);
    }

    [Theory]
    [InlineData("sales/eu")]
    [InlineData("a%2Fb")]
    [InlineData("what? #1 & more")]
    [InlineData("back\\slash + plus")]
    [InlineData("ünïcödé name")]
    public async Task AnyNameCanBeAddressedByName(string name)
    {
        var tenant = await factory.NewTenantAsync();
        var id = await tenant.Admin.NewConnectionAsync(name);
        var found = await tenant.Admin.GetConnectionAsync(Uri.EscapeDataString(name), "?type=connectionname");
        Assert.Equal(id, found.Str("qID"));
        Assert.Equal(name, found.Str("qName"));
        var deleted = await tenant.Admin.DeleteAsync($"{ConnectionApi.Path}/{Uri.EscapeDataString(name)}?type=connectionname");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
    }

    [Fact]
    public async Task UppercaseIdsNameTheSameConnection()
    {
        var tenant = await factory.NewTenantAsync();
        var id = Guid.NewGuid().ToString().ToUpperInvariant();
        var created = await tenant.Admin.CreateAsync(new Dictionary<string, object?>(ConnectionApi.Body("upper")) { ["qID"] = id });
        Assert.Equal(id.ToLowerInvariant(), created.Str("qID"));
        Assert.Equal(id.ToLowerInvariant(), (await tenant.Admin.GetConnectionAsync(id)).Str("qID"));
        await ApiAssert.ErrorAsync(await tenant.Admin.PostConnectionAsync(new Dictionary<string, object?>(ConnectionApi.Body("lower")) { ["qID"] = id.ToLowerInvariant() }), HttpStatusCode.Conflict, "DCERROR-0090");
    }

    [Fact]
    public async Task AReadThatCarriesTheConnectionSecretIsNeverCached()
    {
        var tenant = await factory.NewTenantAsync();
        var id = await tenant.Admin.NewConnectionAsync("uncached", edit: b => b["qConnectionSecret"] = "no-store-secret");
        foreach (var path in new[] { $"{ConnectionApi.Path}/{id}", $"/api/connectivity/data-connections/{id}" })
        {
            var response = await tenant.Admin.GetAsync(path);
            Assert.Contains("no-store-secret", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            Assert.True(response.Headers.CacheControl?.NoStore, path);
        }
    }
}
