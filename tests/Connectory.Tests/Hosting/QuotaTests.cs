using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Connectory.Hosting;
using Connectory.Tests.DataConnections;
using Connectory.Tests.DataCredentials;
using Connectory.Tests.Qrs;
using Connectory.Tests.Support;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Connectory.Tests.Hosting;

/// <summary>Each documented limit answers 400 (431 for headers) in the face's own shape, naming the limit.</summary>
public sealed class QuotaTests(ConnectoryFactory factory) : IClassFixture<ConnectoryFactory>
{
    static object[] Renames(int count) => Enumerable.Range(0, count).Select(i => new { op = "replace", path = "/qName", value = $"n{i}" }).ToArray<object>();

    static async Task<string> QrsTextAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode}: {text}");
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        return text;
    }

    [Fact]
    public async Task APatchOnAConnectionHoldsAtMost100Operations()
    {
        var tenant = await factory.NewTenantAsync();
        var id = await tenant.Admin.NewConnectionAsync("patched");
        Assert.Equal(HttpStatusCode.NoContent, (await tenant.Admin.PatchConnectionAsync(id, Renames(100))).StatusCode);
        var error = await ApiAssert.ErrorAsync(await tenant.Admin.PatchConnectionAsync(id, Renames(15000)), HttpStatusCode.BadRequest);
        Assert.Equal("A patch request may hold at most 100 operations, not 15000.", error.Detail());
        Assert.Equal("n99", (await tenant.Admin.GetConnectionAsync(id)).Str("qName"));
    }

    [Fact]
    public async Task PatchesOnCredentialsSpacesUsersAndApiKeysHoldAtMost100Operations()
    {
        var tenant = await factory.NewTenantAsync();
        var credential = await tenant.Admin.NewCredentialAsync("cred");
        var space = await tenant.NewSpaceAsync("shared");
        string[] paths = [$"/api/v1/data-credentials/{credential}", $"/api/v1/spaces/{space}", $"/api/v1/users/{tenant.AdminUserId}", $"/api/v1/api-keys/{Guid.NewGuid()}"];
        foreach (var path in paths)
        {
            var error = await ApiAssert.ErrorAsync(await tenant.Admin.PatchAsJsonAsync(path, Renames(101)), HttpStatusCode.BadRequest);
            Assert.Contains("at most 100 operations", error.Detail(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task QrsManyTakesAtMost100Items()
    {
        var tenant = await factory.NewTenantAsync();
        var qrs = new QrsClient(tenant.Admin);
        var items = Enumerable.Range(0, 101).Select(i => new { name = $"odbc-{i}", type = "ODBC", connectionstring = "ODBC CONNECT TO [Sales]" }).ToArray();
        Assert.Equal("At most 100 data connections per request, not 101.", await QrsTextAsync(await qrs.PostAsync("/qrs/dataconnection/many", items)));
        Assert.Equal(HttpStatusCode.Created, (await qrs.PostAsync("/qrs/dataconnection/many", items[..100])).StatusCode);
    }

    [Fact]
    public async Task FiltersHoldAtMost200Comparisons()
    {
        var tenant = await factory.NewTenantAsync();
        var scim = string.Join(" or ", Enumerable.Range(0, 201).Select(i => $"qName eq \"{i}\""));
        var error = await ApiAssert.ErrorAsync(await tenant.Admin.GetAsync($"{ConnectionApi.Path}?filter={Uri.EscapeDataString(scim)}"), HttpStatusCode.BadRequest);
        Assert.Contains("more than 200 comparisons", error.Detail(), StringComparison.Ordinal);
        var within = string.Join(" or ", Enumerable.Range(0, 200).Select(i => $"qName eq \"{i}\""));
        Assert.Equal(HttpStatusCode.OK, (await tenant.Admin.GetAsync($"{ConnectionApi.Path}?filter={Uri.EscapeDataString(within)}")).StatusCode);

        var qrs = new QrsClient(tenant.Admin);
        var qrsFilter = string.Join(" or ", Enumerable.Range(0, 201).Select(i => $"name eq '{i}'"));
        Assert.Equal("The filter has 201 comparisons; at most 200 are accepted.",
            await QrsTextAsync(await qrs.GetAsync($"/qrs/dataconnection?filter={Uri.EscapeDataString(qrsFilter)}")));
    }

    [Fact]
    public async Task AnOverLongQueryStringIsA400InEachFamilysShape()
    {
        var tenant = await factory.NewTenantAsync();
        var padding = new string('x', RequestLimits.MaxQueryStringLength);
        var cloud = await ApiAssert.ErrorAsync(await tenant.Admin.GetAsync($"{ConnectionApi.Path}?pad={padding}"), HttpStatusCode.BadRequest, "DCERROR-0012");
        Assert.Contains("at most 8192", cloud.Detail(), StringComparison.Ordinal);

        var qrs = await QrsTextAsync(await new QrsClient(tenant.Admin).GetAsync($"/qrs/dataconnection?pad={padding}"));
        Assert.Contains("at most 8192", qrs, StringComparison.Ordinal);

        var dcaas = await tenant.Admin.GetAsync($"/api/v1/dcaas/actions/data-connections/{Guid.NewGuid()}?pad={padding}");
        Assert.Equal(HttpStatusCode.BadRequest, dcaas.StatusCode);
        var dcaasError = JsonDocument.Parse(await dcaas.Content.ReadAsStringAsync()).RootElement.GetProperty("errors")[0];
        Assert.StartsWith("DCAAS-", dcaasError.GetProperty("code").GetString(), StringComparison.Ordinal);
        Assert.Contains("at most 8192", dcaasError.GetProperty("detail").GetString(), StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.OK, (await tenant.Admin.GetAsync($"{ConnectionApi.Path}?pad={new string('x', 8000)}")).StatusCode);
    }

    [Fact]
    public async Task OverLargeHeadersAreRefusedByTheServer()
    {
        var tenant = await factory.NewTenantAsync();
        var request = new HttpRequestMessage(HttpMethod.Get, ConnectionApi.Path);
        request.Headers.Add("X-Padding", new string('x', RequestLimits.MaxRequestHeadersBytes));
        Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, (await tenant.Admin.SendAsync(request)).StatusCode);
    }

    [Fact]
    public async Task CredentialUsernamesTypesAndOrphanFiltersAreBounded()
    {
        var tenant = await factory.NewTenantAsync();
        var longName = new string('u', 1025);
        var put = await tenant.Admin.PutCredentialAsync(Guid.NewGuid().ToString(), new { qName = "c", qType = "QvOdbcConnectorPackage.exe", qUsername = longName, qPassword = "p" });
        Assert.Equal("Field 'qUsername' must be at most 1024 characters", (await ApiAssert.ErrorAsync(put, HttpStatusCode.BadRequest)).Detail());
        var id = await tenant.Admin.NewCredentialAsync("cred");
        var patch = await tenant.Admin.PatchCredentialAsync(id, new[] { new { op = "replace", path = "/qUsername", value = longName } });
        Assert.Equal("Field 'qUsername' must be at most 1024 characters", (await ApiAssert.ErrorAsync(patch, HttpStatusCode.BadRequest)).Detail());
        var orphans = await tenant.Admin.PostAsJsonAsync("/api/v1/data-credentials/actions/filter-orphan", new { qType = new string('t', 257) });
        Assert.Equal("Field 'qType' must be at most 256 characters", (await ApiAssert.ErrorAsync(orphans, HttpStatusCode.BadRequest)).Detail());
    }

    [Fact]
    public void SlowClientsAreBoundedByExplicitKestrelTimeouts()
    {
        var limits = factory.Services.GetRequiredService<IOptions<KestrelServerOptions>>().Value.Limits;
        Assert.Equal(TimeSpan.FromSeconds(30), limits.RequestHeadersTimeout);
        Assert.Equal(240, limits.MinRequestBodyDataRate!.BytesPerSecond);
        Assert.Equal(TimeSpan.FromSeconds(5), limits.MinRequestBodyDataRate.GracePeriod);
        Assert.Equal(RequestLimits.MaxRequestBodyBytes, limits.MaxRequestBodySize);
        Assert.Equal(32 * 1024, limits.MaxRequestHeadersTotalSize);
    }
}
