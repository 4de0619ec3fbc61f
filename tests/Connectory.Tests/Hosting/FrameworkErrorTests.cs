using System.Net;
using System.Text;
using Connectory.Tests.Support;

namespace Connectory.Tests.Hosting;

/// <summary>What the framework rejects still answers in the one error shape.</summary>
public sealed class FrameworkErrorTests(ConnectoryFactory factory) : IClassFixture<ConnectoryFactory>
{
    HttpClient Admin => factory.Client(factory.BootstrapKey);

    static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    [Fact]
    public async Task MalformedJsonIs400() =>
        await ApiAssert.ErrorAsync(await Admin.PostAsync("/api/v1/spaces", Json("{\"name\": \"x\",")), HttpStatusCode.BadRequest, "DCERROR-0011");

    [Fact]
    public async Task WrongJsonTypeIs400() =>
        await ApiAssert.ErrorAsync(await Admin.PostAsync("/api/v1/spaces", Json("{\"name\": 42, \"type\": \"shared\"}")), HttpStatusCode.BadRequest, "DCERROR-0011");

    [Fact]
    public async Task UnknownRouteIs404() =>
        await ApiAssert.ErrorAsync(await Admin.GetAsync("/api/v1/no-such-thing"), HttpStatusCode.NotFound, "DCERROR-0041");

    [Fact]
    public async Task WrongMethodIs405() =>
        await ApiAssert.ErrorAsync(await Admin.PutAsync("/api/v1/users/me", Json("{}")), HttpStatusCode.MethodNotAllowed, "DCERROR-0050");

    [Fact]
    public async Task WrongMediaTypeIs415() =>
        await ApiAssert.ErrorAsync(await Admin.PostAsync("/api/v1/spaces", new StringContent("name=x", Encoding.UTF8, "text/plain")), HttpStatusCode.UnsupportedMediaType, "DCERROR-0150");

    [Fact]
    public async Task BodyOverOneMebibyteIs413()
    {
        var big = "{\"name\":\"" + new string('x', 1024 * 1024 + 10) + "\",\"type\":\"shared\"}";
        // The answer comes as soon as the length is known; a client still sending the body then writes into a closed
        // connection. Asking first (100-continue), as careful clients do, lets it read the answer instead.
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/spaces") { Content = Json(big) };
        request.Headers.ExpectContinue = true;
        await ApiAssert.ErrorAsync(await Admin.SendAsync(request), HttpStatusCode.RequestEntityTooLarge, "DCERROR-0130");
    }

    [Fact]
    public async Task EmptyBodyIs400()
    {
        await ApiAssert.ErrorAsync(await Admin.PostAsync("/api/v1/spaces", Json("")), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task InvalidLimitIs400WithTheParameterNamed()
    {
        var error = await ApiAssert.ErrorAsync(await Admin.GetAsync("/api/v1/spaces?limit=0"), HttpStatusCode.BadRequest, "DCERROR-0012");
        Assert.Contains("limit", error.GetProperty("detail").GetString());
        var unparsable = await ApiAssert.ErrorAsync(await Admin.GetAsync("/api/v1/spaces?limit=abc"), HttpStatusCode.BadRequest, "DCERROR-0012");
        Assert.Equal("Query parameter 'limit' must be an integer.", unparsable.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task UnparsableBooleanParameterIsNamedWithoutFrameworkTypes()
    {
        var error = await ApiAssert.ErrorAsync(await Admin.GetAsync("/api/v1/data-connections?noDatafiles=maybe"), HttpStatusCode.BadRequest, "DCERROR-0012");
        Assert.Equal("Query parameter 'noDatafiles' must be true or false.", error.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task TamperedPageTokenIs400() =>
        await ApiAssert.ErrorAsync(await Admin.GetAsync("/api/v1/spaces?next=bm90LWEtdG9rZW4"), HttpStatusCode.BadRequest, "DCERROR-0012");

    [Theory]
    [InlineData("/api/v1/spaces", "{\"name\":\"a\\u0000b\",\"type\":\"shared\"}")]
    [InlineData("/api/v1/users", "{\"subject\":\"s\\u0000\",\"name\":\"n\"}")]
    [InlineData("/api/v1/api-keys", "{\"description\":\"\\u0000\"}")]
    [InlineData("/api/v1/data-connections", "{\"qName\":\"x\",\"qType\":\"t\\u0000\",\"datasourceID\":\"d\",\"qConnectStatement\":\"s\"}")]
    public async Task NulCharactersInAnyBodyAre400OnEveryDatabase(string path, string body)
    {
        var error = await ApiAssert.ErrorAsync(await Admin.PostAsync(path, Json(body)), HttpStatusCode.BadRequest, "DCERROR-0010");
        Assert.Contains("NUL", error.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task NulCharactersInTheQueryAre400AndAnEscapedBackslashIsNot()
    {
        await ApiAssert.ErrorAsync(await Admin.GetAsync("/api/v1/spaces?name=a%00b"), HttpStatusCode.BadRequest, "DCERROR-0012");
        var literal = await Admin.PostAsync("/api/v1/spaces", Json("{\"name\":\"literal \\\\u0000 text\",\"type\":\"shared\"}"));
        Assert.Equal(HttpStatusCode.Created, literal.StatusCode);
    }
}
