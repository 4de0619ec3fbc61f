using System.Net;
using System.Text;
using System.Text.Json;
using Connectory.Tests.Qrs;
using Connectory.Tests.Support;
using Microsoft.EntityFrameworkCore;

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

    static StringContent Oversized() => new("{\"name\":\"" + new string('x', 1024 * 1024 + 10) + "\"}", Encoding.UTF8, "application/json");

    /// <summary>
    /// Sends a body over the limit. Expect: 100-continue lets the 413 arrive before the body is sent; when the server
    /// closes the connection while the body is still going out anyway, the request is sent again.
    /// </summary>
    static async Task<HttpResponseMessage> OversizedAsync(Func<Task<HttpResponseMessage>> send)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await send();
            }
            catch (HttpRequestException) when (attempt < 5)
            {
            }
        }
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
        var tooLarge = await OversizedAsync(() => admin.SendAsync(new HttpRequestMessage(HttpMethod.Post, Dcaas) { Content = Oversized(), Headers = { ExpectContinue = true } }));
        await DcaasErrorAsync(tooLarge, HttpStatusCode.RequestEntityTooLarge, "DCAAS-1005");
    }

    [Fact]
    public async Task QrsFrameworkAnswersArePlainText()
    {
        var qrs = new QrsClient(factory.Client(factory.BootstrapKey));
        Assert.Equal("Not Found", await TextAsync(await qrs.GetAsync("/qrs/no/such/thing"), HttpStatusCode.NotFound));
        var wrongMethod = await qrs.SendAsync(HttpMethod.Delete, "/qrs/dataconnection/count");
        Assert.Equal("Method Not Allowed", await TextAsync(wrongMethod, HttpStatusCode.MethodNotAllowed));
        Assert.Equal(["GET"], wrongMethod.Content.Headers.Allow);
        var tooLarge = await OversizedAsync(() => qrs.SendAsync(HttpMethod.Post, "/qrs/dataconnection", Oversized(), r => r.Headers.ExpectContinue = true));
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

    [Fact]
    public async Task UnexpectedErrorsAre500WithATraceIdInEachFamilysShape()
    {
        using var broken = new ConnectoryFactory();
        var tenant = await broken.NewTenantAsync();
        await broken.WithDbAsync(async db =>
        {
            await db.Database.ExecuteSqlRawAsync("ALTER TABLE data_connections RENAME TO data_connections_gone");
            return await db.Database.ExecuteSqlRawAsync("ALTER TABLE spaces RENAME TO spaces_gone");
        });
        Assert.StartsWith("An internal error occurred. Quote trace id ", await TextAsync(await new QrsClient(tenant.Admin).GetAsync("/qrs/dataconnection"), HttpStatusCode.InternalServerError), StringComparison.Ordinal);
        var dcaas = await DcaasErrorAsync(await tenant.Admin.GetAsync($"{Dcaas}/{Guid.NewGuid()}"), HttpStatusCode.InternalServerError, "DCAAS-5000");
        Assert.Contains("trace id", dcaas.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var cloud = await ApiAssert.ErrorAsync(await tenant.Admin.GetAsync("/api/v1/data-connections"), HttpStatusCode.InternalServerError, "DCERROR-0500");
        Assert.Contains("trace id", cloud.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }
}
