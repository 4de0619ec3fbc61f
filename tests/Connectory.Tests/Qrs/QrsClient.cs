using System.Net.Http.Json;
using System.Text.Json;
using Connectory.Platform.Tenants;
using Connectory.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Connectory.Tests.Qrs;

/// <summary>Calls /qrs the way QRS clients do: every request carries the same Xrfkey in the query and the header.</summary>
sealed class QrsClient(HttpClient http)
{
    public const string Xrfkey = "abcdefghij012345";

    public HttpClient Http { get; } = http;

    public static string WithKey(string path) => path + (path.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "xrfkey=" + Xrfkey;

    public Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, object? body = null, Action<HttpRequestMessage>? configure = null)
    {
        var request = new HttpRequestMessage(method, WithKey(path));
        request.Headers.Add("X-Qlik-Xrfkey", Xrfkey);
        if (body is not null)
        {
            request.Content = body as HttpContent ?? JsonContent.Create(body);
        }
        configure?.Invoke(request);
        return Http.SendAsync(request);
    }

    public Task<HttpResponseMessage> GetAsync(string path) => SendAsync(HttpMethod.Get, path);
    public Task<HttpResponseMessage> PostAsync(string path, object body) => SendAsync(HttpMethod.Post, path, body);
    public Task<HttpResponseMessage> PutAsync(string path, object body) => SendAsync(HttpMethod.Put, path, body);
    public Task<HttpResponseMessage> DeleteAsync(string path) => SendAsync(HttpMethod.Delete, path);

    /// <summary>POST /qrs/dataconnection with the usual members; returns the created entity.</summary>
    public async Task<JsonElement> CreateAsync(string name, string type = "ODBC", string connectionstring = "ODBC CONNECT TO [Sales]", object? extra = null)
    {
        var body = new Dictionary<string, object?> { ["name"] = name, ["type"] = type, ["connectionstring"] = connectionstring };
        if (extra is not null)
        {
            foreach (var property in JsonSerializer.SerializeToElement(extra).EnumerateObject())
            {
                body[property.Name] = property.Value;
            }
        }
        return await PostAsync("/qrs/dataconnection", body).JsonAsync(System.Net.HttpStatusCode.Created);
    }
}

static class QrsTenants
{
    /// <summary>A tenant with a chosen name (the one Qrs:Tenant names), optionally creating users on first sign-in.</summary>
    public static async Task<TestTenant> NewNamedTenantAsync(this ConnectoryFactory factory, string name, bool autoCreateUsers)
    {
        _ = factory.BaseAddress;
        await using var scope = factory.Services.CreateAsyncScope();
        var created = await scope.ServiceProvider.GetRequiredService<TenantProvisioning>().CreateAsync(name, null, CancellationToken.None);
        if (autoCreateUsers)
        {
            await factory.WithDbAsync(db => db.Tenants.Where(t => t.Id == created.Tenant.Id).ExecuteUpdateAsync(s => s.SetProperty(t => t.AutoCreateUsers, true)));
        }
        return new TestTenant(factory, created.Tenant.Id, created.Admin.Id, factory.Client(created.ApiKey));
    }
}
