using System.Net;
using System.Text;
using System.Text.Json;
using Connectory.Tests.Qrs;
using Connectory.Tests.Support;

namespace Connectory.Tests.Hosting;

/// <summary>Each API family answers every error, the framework's and sign-in's included, in its own shape.</summary>
public sealed class ErrorFamilyTests(ConnectoryFactory factory) : IClassFixture<ConnectoryFactory>
{
    const string Dcaas = "/api/v1/dcaas/actions/data-connections";

    static async Task<JsonElement> DcaasErrorAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var error = JsonDocument.Parse(text).RootElement.GetProperty("errors").EnumerateArray().Single();
        Assert.Equal(code, error.GetProperty("code").GetString());
        Assert.False(error.TryGetProperty("status", out _), "DCaaS errors carry no status member");
        Assert.False(string.IsNullOrEmpty(error.GetProperty("title").GetString()));
        return error;
    }

    static async Task<string> TextAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        return text;
    }

    [Fact]
    public async Task DcaasCallersWithoutAValidTokenGet401InTheDcaasShape()
    {
        var missing = await DcaasErrorAsync(await factory.Client(null).GetAsync($"{Dcaas}/{Guid.NewGuid()}"), HttpStatusCode.Unauthorized, "DCAAS-2000");
        Assert.Contains("Authorization", missing.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var invalid = await DcaasErrorAsync(await factory.Client("cnx_not_a_key").GetAsync($"{Dcaas}/api-specs?dataSourceId=rest"), HttpStatusCode.Unauthorized, "DCAAS-2000");
        Assert.Equal("The API key is not valid.", invalid.GetProperty("detail").GetString());
        await DcaasErrorAsync(await factory.Client(null).PostAsync(Dcaas, new StringContent("{}", Encoding.UTF8, "application/json")), HttpStatusCode.Unauthorized, "DCAAS-2000");
    }

    [Fact]
    public async Task UnknownDcaasRoutesAndMethodsAnswerInTheDcaasShape()
    {
        var admin = factory.Client(factory.BootstrapKey);
        await DcaasErrorAsync(await admin.GetAsync("/api/v1/dcaas/no-such-thing"), HttpStatusCode.NotFound, "DCAAS-3001");
        await DcaasErrorAsync(await admin.GetAsync($"{Dcaas}/a/b"), HttpStatusCode.NotFound, "DCAAS-3001");
        var wrongMethod = await admin.DeleteAsync($"{Dcaas}/{Guid.NewGuid()}");
        await DcaasErrorAsync(wrongMethod, HttpStatusCode.MethodNotAllowed, "DCAAS-1004");
        Assert.Equal(["GET"], wrongMethod.Content.Headers.Allow);
        await DcaasErrorAsync(await admin.PutAsync(Dcaas, new StringContent("{}", Encoding.UTF8, "application/json")), HttpStatusCode.MethodNotAllowed, "DCAAS-1004");
        // Unknown DCaaS paths need a caller like the known ones.
        await DcaasErrorAsync(await factory.Client(null).GetAsync("/api/v1/dcaas/no-such-thing"), HttpStatusCode.Unauthorized, "DCAAS-2000");
    }

    [Fact]
    public async Task DcaasNulCharactersAndOversizedBodiesAnswerInTheDcaasShape()
    {
        var admin = factory.Client(factory.BootstrapKey);
        await DcaasErrorAsync(await admin.GetAsync($"{Dcaas}/api-specs?dataSourceId=a%00b"), HttpStatusCode.BadRequest, "DCAAS-1001");
        var big = "{\"connectionName\":\"" + new string('x', 1024 * 1024 + 10) + "\"}";
        await DcaasErrorAsync(await admin.PostAsync(Dcaas, new StringContent(big, Encoding.UTF8, "application/json")), HttpStatusCode.RequestEntityTooLarge, "DCAAS-1005");
    }

    [Fact]
    public async Task QrsFrameworkAnswersArePlainText()
    {
        var qrs = new QrsClient(factory.Client(factory.BootstrapKey));
        Assert.Equal("Not Found", await TextAsync(await qrs.GetAsync("/qrs/no/such/thing"), HttpStatusCode.NotFound));
        var wrongMethod = await qrs.SendAsync(HttpMethod.Delete, "/qrs/dataconnection/count");
        Assert.Equal("Method Not Allowed", await TextAsync(wrongMethod, HttpStatusCode.MethodNotAllowed));
        Assert.Equal(["GET"], wrongMethod.Content.Headers.Allow);
        var big = "{\"name\":\"" + new string('x', 1024 * 1024 + 10) + "\"}";
        var tooLarge = await qrs.SendAsync(HttpMethod.Post, "/qrs/dataconnection", new StringContent(big, Encoding.UTF8, "application/json"));
        Assert.Equal("The request body is too large.", await TextAsync(tooLarge, HttpStatusCode.RequestEntityTooLarge));
        Assert.Contains("NUL", await TextAsync(await qrs.GetAsync("/qrs/dataconnection?filter=a%00b"), HttpStatusCode.BadRequest), StringComparison.Ordinal);
    }

    [Fact]
    public async Task QrsUnknownRoutesCheckTheXrfkeyThenTheCallerFirst()
    {
        var anonymous = new QrsClient(factory.Client(null));
        Assert.NotEmpty(await TextAsync(await anonymous.GetAsync("/qrs/no/such/thing"), HttpStatusCode.Unauthorized));
        Assert.NotEmpty(await TextAsync(await anonymous.SendAsync(HttpMethod.Patch, "/qrs/dataconnection"), HttpStatusCode.Unauthorized));
        Assert.Equal("The API key is not valid.", await TextAsync(await new QrsClient(factory.Client("cnx_not_a_key")).GetAsync("/qrs/dataconnection"), HttpStatusCode.Unauthorized));
        Assert.Equal("XSRF prevention check failed. Possible XSRF discovered.", await TextAsync(await factory.Client(null).GetAsync("/qrs/no/such/thing"), HttpStatusCode.Forbidden));
    }

    [Fact]
    public async Task TheCloudApiKeepsItsShape()
    {
        await ApiAssert.ErrorAsync(await factory.Client(null).GetAsync("/api/v1/spaces"), HttpStatusCode.Unauthorized, "DCERROR-0020");
        await ApiAssert.ErrorAsync(await factory.Client(factory.BootstrapKey).GetAsync("/api/v1/qrs/dataconnection"), HttpStatusCode.NotFound, "DCERROR-0041");
        await ApiAssert.ErrorAsync(await factory.Client(factory.BootstrapKey).GetAsync("/api/v1/dcaasish"), HttpStatusCode.NotFound, "DCERROR-0041");
    }
}
