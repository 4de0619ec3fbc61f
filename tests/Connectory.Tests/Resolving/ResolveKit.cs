using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Connectory.Platform.Audit;
using Connectory.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace Connectory.Tests.Resolving;

/// <summary>Request shortcuts of the resolving tests.</summary>
static class ResolveKit
{
    public const string FilterUrl = "/api/connectivity/data-sources/endpoints/actions/filter";
    public const string GenerateQriUrl = "/api/connectivity/data-sources/actions/generate-qri";
    public const string Statement = "CUSTOM CONNECT TO \"provider=QvOdbcConnectorPackage.exe;driver=postgres;host=db.example.test;port=5432;db=sales;\"";

    public static Task<HttpResponseMessage> ResolveAsync(this HttpClient client, object body) => client.PostAsJsonAsync(FilterUrl, body);

    /// <summary>A connection in a space (null: the caller's personal one) with an embedded credential; returns its id.</summary>
    public static async Task<string> NewConnectionAsync(
        this HttpClient client, string? spaceId, string name, string? password, bool separate = false, string statement = Statement, string datasourceID = "postgres")
    {
        var created = await client.PostAsJsonAsync("/api/v1/data-connections", new
        {
            qName = name,
            qConnectStatement = statement,
            qType = "QvOdbcConnectorPackage.exe",
            datasourceID,
            space = spaceId,
            qSeparateCredentials = separate,
            qUsername = password is null ? null : "reader",
            qPassword = password,
        }).JsonAsync(HttpStatusCode.Created);
        return created.GetProperty("qID").GetString()!;
    }

    /// <summary>Every resolve event of a tenant, oldest first (the trail also holds the tenant's changes).</summary>
    public static Task<List<AuditEvent>> AuditAsync(this ConnectoryFactory factory, string tenantId) =>
        factory.WithDbAsync(db => db.AuditEvents.IgnoreQueryFilters()
            .Where(a => a.TenantId == tenantId && a.Action == "connection.resolve").OrderBy(a => a.OccurredAt).ThenBy(a => a.Id).ToListAsync());

    /// <summary>The whole audit table as text, every column of every row of every tenant.</summary>
    public static async Task<string> WholeAuditTableAsync(this ConnectoryFactory factory)
    {
        var rows = await factory.WithDbAsync(db => db.AuditEvents.IgnoreQueryFilters().ToListAsync());
        return JsonSerializer.Serialize(rows);
    }

    public static void AssertNoStore(HttpResponseMessage response)
    {
        Assert.Contains("no-store", response.Headers.CacheControl?.ToString() ?? "");
        Assert.Contains("no-cache", string.Join(",", response.Headers.Pragma.Select(p => p.ToString())));
    }
}
