using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Connectory.Tests.Support;

namespace Connectory.Tests.DataConnections;

/// <summary>A small deterministic fuzz: no query parameter or body makes the API answer 5xx.</summary>
public sealed class RobustnessTests(ConnectoryFactory factory) : IClassFixture<ConnectoryFactory>
{
    static readonly string[] Texts =
    [
        "", " ", "0", "-1", "1", "100", "101", "2147483648", "99999999999999999999999", "1e400", "-0", "0x10", "1.5", "true", "false", "TRUE",
        "null", "maybe", "[]", "{}", "\"", "'", "' OR 1=1 --", "\\", "%", "_", "%00", "\u0000", "\u0001\u001f", "é", "😀", "\ud800",
        "+qName", "-", "+", "qName eq", "qName eq \"", "((((", "))", "not", "not not not", "qri pr", "created gt \"9999-12-31T23:59:59Z\"",
        "created lt \"0001-01-01T00:00:00Z\"", "created gt \"2024-02-30T00:00:00Z\"", "qName eq \"\\u12\"", "qName co \"\\\"",
        "3fa85f64-5717-4562-b3fc-2c963f66afa6", "00000000-0000-0000-0000-000000000000", "DataFiles", "connectionname", "a.b", "..",
        new string('x', 5000), new string('(', 1500), string.Concat(Enumerable.Repeat("qName pr and ", 300)) + "qName pr",
    ];

    static readonly string[] ListParameters =
    [
        "limit", "sort", "page", "filter", "spaceId", "personal", "ownedByMe", "owner", "userId", "noDatafiles", "caseinsensitive", "locale",
        "includeQris", "extended", "dataName", "includeDisabled",
    ];

    static async Task AssertNoServerErrorAsync(HttpResponseMessage response, string what)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode < 500, $"{what} => {(int)response.StatusCode}: {text}");
        if ((int)response.StatusCode >= 400)
        {
            Assert.True(text.Length > 0, $"{what} => {(int)response.StatusCode} with an empty body");
            var errors = JsonDocument.Parse(text).RootElement.GetProperty("errors");
            Assert.Equal((int)response.StatusCode, errors[0].GetProperty("status").GetInt32());
            Assert.StartsWith("DCERROR-", errors[0].GetProperty("code").GetString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task NoListQueryAnswers5xx()
    {
        var tenant = await factory.NewTenantAsync();
        var space = await tenant.NewSpaceAsync("shared");
        await tenant.Admin.NewConnectionAsync("fuzz-a");
        await tenant.Admin.NewConnectionAsync("fuzz-b", space);
        var user = await tenant.NewUserAsync();
        var random = new Random(20261124);
        for (var i = 0; i < 400; i++)
        {
            var query = string.Join('&', Enumerable.Range(0, 1 + random.Next(4)).Select(_ =>
                $"{ListParameters[random.Next(ListParameters.Length)]}={Uri.EscapeDataString(Texts[random.Next(Texts.Length)])}"));
            var client = random.Next(4) == 0 ? user.Client : tenant.Admin;
            await AssertNoServerErrorAsync(await client.GetAsync($"{ConnectionApi.Path}?{query}"), query);
        }
        foreach (var name in ListParameters)
        {
            foreach (var text in Texts)
            {
                var query = $"{name}={Uri.EscapeDataString(text)}";
                await AssertNoServerErrorAsync(await tenant.Admin.GetAsync($"{ConnectionApi.Path}?{query}"), query);
            }
        }
    }

    [Fact]
    public async Task NoIdOrGetParameterAnswers5xx()
    {
        var tenant = await factory.NewTenantAsync();
        var id = await tenant.Admin.NewConnectionAsync("fuzz-get", edit: b => b["qConnectionSecret"] = "s");
        string[] parameters = ["type", "spaceId", "credentialId", "byCredentialName", "parseConnection", "noCache", "extended"];
        var random = new Random(7);
        for (var i = 0; i < 250; i++)
        {
            var target = random.Next(3) == 0 ? id : Uri.EscapeDataString(Texts[random.Next(Texts.Length)]);
            if (target.Length == 0 || target is "." or "..")
            {
                target = "x";
            }
            var query = string.Join('&', Enumerable.Range(0, random.Next(3)).Select(_ =>
                $"{parameters[random.Next(parameters.Length)]}={Uri.EscapeDataString(Texts[random.Next(Texts.Length)])}"));
            await AssertNoServerErrorAsync(await tenant.Admin.GetAsync($"{ConnectionApi.Path}/{target}?{query}"), $"GET {target}?{query}");
            await AssertNoServerErrorAsync(await tenant.Admin.DeleteAsync($"{ConnectionApi.Path}/{target}?{query}&type=connectionname"), $"DELETE {target}?{query}");
        }
    }

    /// <summary>JSON values of every kind, including ones System.Text.Json cannot map to the wire types.</summary>
    static readonly string[] JsonValues =
    [
        "null", "true", "false", "0", "1", "-1", "2", "1.5", "1e400", "-1e400", "99999999999999999999999999", "\"\"", "\" \"", "\"0\"", "\"1\"",
        "\"x\"", "\"DataFiles\"", "\"\\u0000\"", "\"\\ud800\"", "\"3fa85f64-5717-4562-b3fc-2c963f66afa6\"", "[]", "[1]", "[\"a\"]", "[null]",
        "{}", "{\"a\":1}", "[[[[[[[[[[]]]]]]]]]]", "\"" + new string('x', 70000) + "\"", "\"CUSTOM CONNECT TO \\\"\"", "\"ODBC CONNECT TO [\"",
    ];

    static readonly string[] CreateFields =
    [
        "qID", "qName", "qType", "qConnectStatement", "datasourceID", "space", "qLogOn", "qArchitecture", "qUsername", "qPassword",
        "qCredentialsID", "qCredentialsName", "qSeparateCredentials", "qConnectionSecret", "qEngineObjectID", "tags", "owner", "connectionProperties", "authUrlOnly",
    ];

    static string MutatedBody(Random random, Dictionary<string, string> valid, string[] fields)
    {
        var body = new Dictionary<string, string>(valid);
        for (var n = 1 + random.Next(3); n > 0; n--)
        {
            var field = fields[random.Next(fields.Length)];
            if (random.Next(6) == 0)
            {
                body.Remove(field);
            }
            else
            {
                body[field] = JsonValues[random.Next(JsonValues.Length)];
            }
        }
        return "{" + string.Join(',', body.Select(kv => JsonSerializer.Serialize(kv.Key) + ":" + kv.Value)) + "}";
    }

    static Task<HttpResponseMessage> SendRawAsync(HttpClient client, HttpMethod method, string path, string body)
    {
        using var request = new HttpRequestMessage(method, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        return client.SendAsync(request);
    }

    [Fact]
    public async Task NoCreateOrPutBodyAnswers5xx()
    {
        var tenant = await factory.NewTenantAsync();
        var space = await tenant.NewSpaceAsync("shared");
        var id = await tenant.Admin.NewConnectionAsync("fuzz-put", space);
        var random = new Random(99);
        var n = 0;
        var validCreate = new Dictionary<string, string>
        {
            ["qName"] = "\"fuzz\"",
            ["qType"] = "\"QvRestConnector.exe\"",
            ["qConnectStatement"] = JsonSerializer.Serialize(ConnectionApi.RestStatement()),
            ["datasourceID"] = "\"rest\"",
        };
        for (var i = 0; i < 300; i++)
        {
            validCreate["qName"] = JsonSerializer.Serialize($"fuzz-{n++}");
            var body = MutatedBody(random, validCreate, CreateFields);
            await AssertNoServerErrorAsync(await SendRawAsync(tenant.Admin, HttpMethod.Post, ConnectionApi.Path, body), $"POST {body[..Math.Min(300, body.Length)]}");
        }
        var validPut = new Dictionary<string, string>(validCreate)
        {
            ["qID"] = JsonSerializer.Serialize(id),
            ["qEngineObjectID"] = JsonSerializer.Serialize(id),
            ["space"] = JsonSerializer.Serialize(space),
        };
        for (var i = 0; i < 300; i++)
        {
            validPut["qName"] = JsonSerializer.Serialize($"fuzz-put-{n++}");
            var body = MutatedBody(random, validPut, CreateFields);
            await AssertNoServerErrorAsync(await SendRawAsync(tenant.Admin, HttpMethod.Put, $"{ConnectionApi.Path}/{id}", body), $"PUT {body[..Math.Min(300, body.Length)]}");
        }
    }

    [Fact]
    public async Task NoPatchBodyAnswers5xx()
    {
        var tenant = await factory.NewTenantAsync();
        var id = await tenant.Admin.NewConnectionAsync("fuzz-patch", edit: b => { b["qUsername"] = "u"; b["qPassword"] = "p"; });
        string[] ops = ["\"add\"", "\"replace\"", "\"remove\"", "\"move\"", "null", "1", "\"\""];
        string[] paths =
        [
            "\"/qName\"", "\"/qConnectStatement\"", "\"/qType\"", "\"/tags\"", "\"/tags/-\"", "\"/tags/0\"", "\"/qLogOn\"", "\"/qArchitecture\"",
            "\"/qUsername\"", "\"/qPassword\"", "\"/qConnectionSecret\"", "\"/qSeparateCredentials\"", "\"/datasourceID\"", "\"/\"", "\"\"", "null", "5",
        ];
        var random = new Random(5);
        for (var i = 0; i < 400; i++)
        {
            var operations = Enumerable.Range(0, random.Next(4)).Select(_ =>
            {
                var parts = new List<string>();
                if (random.Next(8) != 0)
                {
                    parts.Add("\"op\":" + ops[random.Next(ops.Length)]);
                }
                if (random.Next(8) != 0)
                {
                    parts.Add("\"path\":" + paths[random.Next(paths.Length)]);
                }
                if (random.Next(4) != 0)
                {
                    parts.Add("\"value\":" + JsonValues[random.Next(JsonValues.Length)]);
                }
                return "{" + string.Join(',', parts) + "}";
            });
            var body = random.Next(20) == 0 ? JsonValues[random.Next(JsonValues.Length)] : "[" + string.Join(',', operations) + "]";
            await AssertNoServerErrorAsync(await SendRawAsync(tenant.Admin, HttpMethod.Patch, $"{ConnectionApi.Path}/{id}", body), $"PATCH {body[..Math.Min(300, body.Length)]}");
        }
    }

    [Fact]
    public async Task NoActionBodyAnswers5xx()
    {
        var tenant = await factory.NewTenantAsync();
        var space = await tenant.NewSpaceAsync("shared");
        var random = new Random(11);
        string[] itemFields = ["id", "name", "ownerId", "spaceId", "spaceType"];
        string[] duplicateFields = ["id", "name", "spaceId", "qUsername", "qPassword"];
        for (var i = 0; i < 150; i++)
        {
            var id = await tenant.Admin.NewConnectionAsync($"fuzz-action-{i}", random.Next(2) == 0 ? space : null);
            var valid = new Dictionary<string, string>
            {
                ["id"] = JsonSerializer.Serialize(id),
                ["ownerId"] = JsonSerializer.Serialize(tenant.AdminUserId),
                ["spaceId"] = JsonSerializer.Serialize(space),
                ["spaceType"] = "\"shared\"",
            };
            var items = "[" + string.Join(',', Enumerable.Range(0, 1 + random.Next(3)).Select(_ => MutatedBody(random, valid, itemFields))) + "]";
            var path = random.Next(2) == 0 ? "/actions/update" : "/actions/delete";
            var body = random.Next(10) == 0 ? $"{{\"connections\":{JsonValues[random.Next(JsonValues.Length)]}}}" : $"{{\"connections\":{items}}}";
            await AssertNoServerErrorAsync(await SendRawAsync(tenant.Admin, HttpMethod.Post, ConnectionApi.Path + path, body), $"{path} {body[..Math.Min(300, body.Length)]}");

            var duplicate = MutatedBody(random, new Dictionary<string, string> { ["id"] = JsonSerializer.Serialize(id) }, duplicateFields);
            await AssertNoServerErrorAsync(await SendRawAsync(tenant.Admin, HttpMethod.Post, ConnectionApi.Path + "/actions/duplicate", duplicate), $"duplicate {duplicate[..Math.Min(300, duplicate.Length)]}");
        }
    }

    [Theory]
    [InlineData("POST", "")]
    [InlineData("POST", "{")]
    [InlineData("POST", "not json")]
    [InlineData("POST", "null")]
    [InlineData("POST", "[]")]
    [InlineData("PATCH", "null")]
    [InlineData("PATCH", "{")]
    public async Task MalformedJsonIsA400InTheErrorShape(string method, string body)
    {
        var tenant = await factory.NewTenantAsync();
        var id = await tenant.Admin.NewConnectionAsync("malformed");
        var path = method == "POST" ? ConnectionApi.Path : $"{ConnectionApi.Path}/{id}";
        await ApiAssert.ErrorAsync(await SendRawAsync(tenant.Admin, new HttpMethod(method), path, body), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task NulCharactersAreA400OnEveryDatabase()
    {
        var tenant = await factory.NewTenantAsync();
        var id = await tenant.Admin.NewConnectionAsync("nul");
        var query = await ApiAssert.ErrorAsync(await tenant.Admin.GetAsync($"{ConnectionApi.Path}?spaceId=%00"), HttpStatusCode.BadRequest);
        Assert.Contains("spaceId", query.Detail(), StringComparison.Ordinal);
        await ApiAssert.ErrorAsync(await tenant.Admin.GetAsync($"{ConnectionApi.Path}/{id}?spaceId=a%00b"), HttpStatusCode.BadRequest);
        var body = ConnectionApi.Body("with\u0000nul");
        var error = await ApiAssert.ErrorAsync(await tenant.Admin.PostConnectionAsync(body), HttpStatusCode.BadRequest);
        Assert.Contains("NUL", error.Detail(), StringComparison.Ordinal);
        body = ConnectionApi.Body("logon-nul");
        body["qLogOn"] = JsonDocument.Parse("\"\\u0000\"").RootElement;
        await ApiAssert.ErrorAsync(await tenant.Admin.PostConnectionAsync(body), HttpStatusCode.BadRequest);
        await ApiAssert.ErrorAsync(await SendRawAsync(tenant.Admin, HttpMethod.Patch, $"{ConnectionApi.Path}/{id}", "[{\"op\":\"add\",\"path\":\"/qUsername\",\"value\":\"\\u0000\"}]"), HttpStatusCode.BadRequest);
        await ApiAssert.ErrorAsync(await SendRawAsync(tenant.Admin, HttpMethod.Post, $"{ConnectionApi.Path}/actions/duplicate", $"{{\"id\":\"{id}\",\"spaceId\":\"\\u0000\"}}"), HttpStatusCode.BadRequest);
        Assert.Equal("nul", (await tenant.Admin.GetConnectionAsync(id)).Str("qName"));
    }

    [Fact]
    public async Task ParallelWritesAllSucceed()
    {
        var tenant = await factory.NewTenantAsync();
        var space = await tenant.NewSpaceAsync("shared");
        var created = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => tenant.Admin.PostConnectionAsync(ConnectionApi.Body($"parallel-{i}", i % 2 == 0 ? space : null))));
        foreach (var response in created)
        {
            Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        }
        var ids = await Task.WhenAll(created.Select(async r => (await r.Content.ReadFromJsonAsync<JsonElement>()).Str("qID")));
        var patched = await Task.WhenAll(ids.Select((id, i) => tenant.Admin.PatchConnectionAsync(id, new[] { new { op = "replace", path = "/qName", value = $"renamed-{i}" } })));
        foreach (var response in patched)
        {
            Assert.True(response.StatusCode == HttpStatusCode.NoContent, await response.Content.ReadAsStringAsync());
        }
        var listed = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => tenant.Admin.GetAsync($"{ConnectionApi.Path}?limit=7")));
        Assert.All(listed, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var deleted = await Task.WhenAll(ids.Select(id => tenant.Admin.DeleteAsync($"{ConnectionApi.Path}/{id}")));
        Assert.All(deleted, r => Assert.Equal(HttpStatusCode.NoContent, r.StatusCode));
        Assert.Empty((await tenant.Admin.ListAsync("noDatafiles=true")).Names());
    }

    [Fact]
    public async Task WithoutCredentialsEveryEndpointIsA401()
    {
        var anonymous = factory.Client(null);
        var id = Guid.NewGuid();
        foreach (var request in new[]
        {
            new HttpRequestMessage(HttpMethod.Get, ConnectionApi.Path),
            new HttpRequestMessage(HttpMethod.Get, $"{ConnectionApi.Path}/{id}"),
            new HttpRequestMessage(HttpMethod.Post, ConnectionApi.Path) { Content = JsonContent.Create(ConnectionApi.Body("x")) },
            new HttpRequestMessage(HttpMethod.Delete, $"{ConnectionApi.Path}/{id}"),
            new HttpRequestMessage(HttpMethod.Post, $"{ConnectionApi.Path}/actions/delete") { Content = JsonContent.Create(new { connections = new[] { new { id } } }) },
        })
        {
            using (request)
            {
                await ApiAssert.ErrorAsync(await anonymous.SendAsync(request), HttpStatusCode.Unauthorized, "DCERROR-0020");
            }
        }
    }
}
