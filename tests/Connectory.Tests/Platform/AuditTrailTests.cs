using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Connectory.Platform.Audit;
using Connectory.Tests.DataConnections;
using Connectory.Tests.DataCredentials;
using Connectory.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Connectory.Tests.Platform;

/// <summary>GET /api/v1/audits and what every change records there.</summary>
public sealed class AuditTrailTests(ConnectoryFactory factory) : IClassFixture<ConnectoryFactory>
{
    static async Task<List<JsonElement>> EventsAsync(HttpClient client, string filter)
    {
        var page = await client.GetAsync($"/api/v1/audits?limit=100&sort=%2BeventTime&filter={Uri.EscapeDataString(filter)}").JsonAsync();
        return page.GetProperty("data").EnumerateArray().ToList();
    }

    static string Type(JsonElement e) => e.Str("eventType");

    [Fact]
    public async Task EveryChangeIsRecordedWithWhoWhereAndBeforeAndAfter()
    {
        var tenant = await factory.NewTenantAsync();
        var heir = await tenant.NewUserAsync("TenantAdmin");
        var space = await tenant.NewSpaceAsync("shared");
        var id = await tenant.Admin.NewConnectionAsync("audited", edit: b => (b["qUsername"], b["qPassword"]) = ("bob", "first-pw"));
        await ApiAssert.OkAsync(await tenant.Admin.PatchConnectionAsync(id, new[] { new { op = "replace", path = "/qName", value = "audited 2" } }), HttpStatusCode.NoContent);
        await ApiAssert.OkAsync(await tenant.Admin.PostAsJsonAsync($"{ConnectionApi.Path}/actions/update", new { connections = new[] { new { id, spaceId = space, spaceType = "shared" } } }), HttpStatusCode.MultiStatus);
        await ApiAssert.OkAsync(await tenant.Admin.PostAsJsonAsync($"{ConnectionApi.Path}/actions/update", new { connections = new[] { new { id, ownerId = heir.Id } } }), HttpStatusCode.MultiStatus);
        var copy = (await tenant.Admin.PostAsJsonAsync($"{ConnectionApi.Path}/actions/duplicate", new { id }).JsonAsync(HttpStatusCode.Created)).Str("qID");
        await ApiAssert.OkAsync(await tenant.Admin.DeleteAsync($"{ConnectionApi.Path}/{id}"), HttpStatusCode.NoContent);

        var events = await EventsAsync(tenant.Admin, $"targetId eq \"{id}\"");
        Assert.Equal(new[] { "data-connection.create", "data-connection.update", "data-connection.move", "data-connection.change-owner", "data-connection.delete" }, events.Select(Type));
        Assert.All(events, e =>
        {
            Assert.Equal(tenant.AdminUserId, e.Str("userId"));
            Assert.Equal("127.0.0.1", e.Str("sourceAddress"));
            Assert.Equal("applied", e.Str("outcome"));
            Assert.Equal("data-connection", e.Str("targetType"));
        });
        var renamed = events[1].GetProperty("data");
        Assert.Equal("audited", renamed.GetProperty("before").Str("Name"));
        Assert.Equal("audited 2", renamed.GetProperty("after").Str("Name"));
        Assert.Equal(space, events[2].GetProperty("data").GetProperty("after").Str("SpaceId"));
        Assert.Equal(heir.Id, events[3].GetProperty("data").GetProperty("after").Str("OwnerId"));
        Assert.Equal("audited 2", events[4].GetProperty("data").GetProperty("before").Str("Name"));
        Assert.Equal("data-connection.duplicate", Type(Assert.Single(await EventsAsync(tenant.Admin, $"targetId eq \"{copy}\""))));

        // Credentials, data-source settings and API keys.
        var credential = await tenant.Admin.NewCredentialAsync("audited credential");
        await ApiAssert.OkAsync(await tenant.Admin.PatchCredentialAsync(credential, new[] { new { op = "replace", path = "/qPassword", value = "second-pw" } }), HttpStatusCode.NoContent);
        await ApiAssert.OkAsync(await tenant.Admin.DeleteAsync($"/api/v1/data-credentials/{credential}"), HttpStatusCode.NoContent);
        var credentialEvents = await EventsAsync(tenant.Admin, $"targetId eq \"{credential}\"");
        Assert.Equal(new[] { "data-credential.create", "data-credential.update", "data-credential.delete" }, credentialEvents.Select(Type));
        var passwordChange = credentialEvents[1].GetProperty("data");
        Assert.StartsWith("hmac-sha256:", passwordChange.GetProperty("before").Str("Password"), StringComparison.Ordinal);
        Assert.NotEqual(passwordChange.GetProperty("before").Str("Password"), passwordChange.GetProperty("after").Str("Password"));

        await ApiAssert.OkAsync(await tenant.Admin.PutAsJsonAsync("/api/v1/data-sources/mysql/settings", new { disabled = true }));
        Assert.Equal("data-source-setting.create", Type(Assert.Single(await EventsAsync(tenant.Admin, "targetId eq \"mysql\""))));

        var key = await tenant.Admin.PostAsJsonAsync("/api/v1/api-keys", new { description = "audited key", sub = tenant.AdminUserId }).JsonAsync(HttpStatusCode.Created);
        await ApiAssert.OkAsync(await tenant.Admin.DeleteAsync($"/api/v1/api-keys/{key.Str("id")}"), HttpStatusCode.NoContent);
        Assert.Equal(new[] { "api-key.create", "api-key.revoke" }, (await EventsAsync(tenant.Admin, $"targetId eq \"{key.Str("id")}\"")).Select(Type));
    }

    [Fact]
    public async Task NoSecretEverReachesTheTrail()
    {
        var tenant = await factory.NewTenantAsync();
        var canaries = new[] { "canary-pw-" + Guid.NewGuid().ToString("N"), "canary-secret-" + Guid.NewGuid().ToString("N"), "canary-pw2-" + Guid.NewGuid().ToString("N") };
        var id = await tenant.Admin.NewConnectionAsync("secretive", edit: b => (b["qUsername"], b["qPassword"], b["qConnectionSecret"]) = ("bob", canaries[0], canaries[1]));
        await ApiAssert.OkAsync(await tenant.Admin.PatchConnectionAsync(id, new[] { new { op = "replace", path = "/qPassword", value = canaries[2] } }), HttpStatusCode.NoContent);
        var credential = await tenant.Admin.NewCredentialAsync("secretive credential", password: canaries[2]);
        await ApiAssert.OkAsync(await tenant.Admin.DeleteAsync($"/api/v1/data-credentials/{credential}"), HttpStatusCode.NoContent);
        var token = (await tenant.Admin.PostAsJsonAsync("/api/v1/api-keys", new { description = "secretive key", sub = tenant.AdminUserId }).JsonAsync(HttpStatusCode.Created)).Str("token");
        await ApiAssert.OkAsync(await tenant.Admin.DeleteAsync($"{ConnectionApi.Path}/{id}"), HttpStatusCode.NoContent);

        var rows = await factory.WithDbAsync(db => db.AuditEvents.IgnoreQueryFilters().Where(a => a.TenantId == tenant.Id).ToListAsync());
        Assert.True(rows.Count >= 6, $"only {rows.Count} events");
        var stored = string.Join("\n", rows.Select(r => string.Join("|", r.Action, r.TargetId, r.ActorSubject, r.UserAgent, r.Detail)));
        var listed = await (await tenant.Admin.GetAsync("/api/v1/audits?limit=100")).Content.ReadAsStringAsync();
        foreach (var secret in canaries.Append(token))
        {
            Assert.DoesNotContain(secret, stored, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, listed, StringComparison.Ordinal);
        }
        // The secret's change shows as a changed keyed hash.
        Assert.Contains("hmac-sha256:", stored, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OnlyATenantAdminReadsItsOwnTenantsTrail()
    {
        var tenant = await factory.NewTenantAsync();
        var other = await factory.NewTenantAsync();
        var id = await ConnectionApi.NewConnectionAsync(tenant.Admin, "private");
        var mine = Assert.Single(await EventsAsync(tenant.Admin, $"targetId eq \"{id}\""));

        var user = await tenant.NewUserAsync("AnalyticsAdmin", "DataAdmin");
        await ApiAssert.ErrorAsync(await user.Client.GetAsync("/api/v1/audits"), HttpStatusCode.Forbidden, "DCERROR-0030");
        await ApiAssert.ErrorAsync(await user.Client.GetAsync($"/api/v1/audits/{mine.Str("id")}"), HttpStatusCode.Forbidden, "DCERROR-0030");
        await ApiAssert.ErrorAsync(await factory.Client(null).GetAsync("/api/v1/audits"), HttpStatusCode.Unauthorized);

        Assert.Empty(await EventsAsync(other.Admin, $"targetId eq \"{id}\""));
        Assert.DoesNotContain(id, await (await other.Admin.GetAsync("/api/v1/audits?limit=100")).Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await ApiAssert.ErrorAsync(await other.Admin.GetAsync($"/api/v1/audits/{mine.Str("id")}"), HttpStatusCode.NotFound);
        Assert.Equal(id, (await tenant.Admin.GetAsync($"/api/v1/audits/{mine.Str("id")}").JsonAsync()).Str("targetId"));
    }

    [Fact]
    public async Task TheListFiltersAndPagesByCursor()
    {
        var tenant = await factory.NewTenantAsync();
        var before = DateTime.UtcNow.AddMinutes(-1).ToString("O");
        for (var i = 0; i < 5; i++)
        {
            await ConnectionApi.NewConnectionAsync(tenant.Admin, $"paged {i}");
        }
        var seen = new List<string>();
        var page = await tenant.Admin.GetAsync($"/api/v1/audits?limit=2&filter={Uri.EscapeDataString($"eventType eq \"data-connection.create\" and eventTime gt \"{before}\"")}").JsonAsync();
        for (var guard = 0; guard < 10; guard++)
        {
            seen.AddRange(page.GetProperty("data").EnumerateArray().Select(e => e.Str("targetId")));
            if (!page.GetProperty("links").TryGetProperty("next", out var next))
            {
                break;
            }
            page = await tenant.Admin.GetAsync(next.Str("href")).JsonAsync();
        }
        Assert.Equal(5, seen.Distinct().Count());
        Assert.Equal(5, seen.Count);

        Assert.Empty(await EventsAsync(tenant.Admin, "eventType sw \"data-connection.\" and eventTime lt \"2000-01-01T00:00:00Z\""));
        foreach (var bad in new[] { "nope eq \"x\"", "eventType gt \"a\"", "eventTime eq \"yesterday\"", "eventType eq" })
        {
            await ApiAssert.ErrorAsync(await tenant.Admin.GetAsync($"/api/v1/audits?filter={Uri.EscapeDataString(bad)}"), HttpStatusCode.BadRequest, "DCERROR-0012");
        }
        await ApiAssert.ErrorAsync(await tenant.Admin.GetAsync("/api/v1/audits?next=forged"), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task RetentionPrunesOldEventsAndTheDatabaseRefusesToDeleteRecentOnes()
    {
        var tenant = await factory.NewTenantAsync();
        var id = await ConnectionApi.NewConnectionAsync(tenant.Admin, "kept");
        var old = new AuditEvent
        {
            Id = Guid.NewGuid().ToString(),
            TenantId = tenant.Id,
            OccurredAt = DateTime.UtcNow.AddDays(-400),
            Action = "data-connection.update",
            TargetKind = "data-connection",
            TargetId = id,
            Outcome = "applied",
            Status = 204,
        };
        await factory.WithDbAsync(async db => { db.AuditEvents.Add(old); return await db.SaveChangesAsync(); });

        Assert.True(await factory.WithDbAsync(db => AuditRetention.PruneAsync(db, DateTime.UtcNow.AddDays(-30), CancellationToken.None)) >= 1);
        var left = await factory.WithDbAsync(db => db.AuditEvents.IgnoreQueryFilters().Where(a => a.TargetId == id).Select(a => a.Id).ToListAsync());
        Assert.DoesNotContain(old.Id, left);
        Assert.Single(left);

        // Recent events stay whatever deletes them, and no event is ever changed.
        await Assert.ThrowsAnyAsync<Exception>(() => factory.WithDbAsync(db => db.AuditEvents.IgnoreQueryFilters().Where(a => a.TargetId == id).ExecuteDeleteAsync()));
        await Assert.ThrowsAnyAsync<Exception>(() => factory.WithDbAsync(db =>
            db.AuditEvents.IgnoreQueryFilters().Where(a => a.TargetId == id).ExecuteUpdateAsync(s => s.SetProperty(a => a.OccurredAt, DateTime.UtcNow.AddDays(-400)))));
        Assert.Single(await EventsAsync(tenant.Admin, $"targetId eq \"{id}\""));
    }

    [Fact]
    public async Task AKeyRotationIsRecordedInEachTenantWhoseSecretsItRewrapped()
    {
        var tenant = await factory.NewTenantAsync();
        var canary = "canary-rotated-" + Guid.NewGuid().ToString("N");
        await tenant.Admin.NewConnectionAsync("rotated", edit: b => b["qConnectionSecret"] = canary);
        var rotation = factory.Services.GetRequiredService<Connectory.Secrets.KeyRotation>();
        var keyId = await rotation.AddKeyAsync(TextWriter.Null, CancellationToken.None);
        await rotation.RewrapAllAsync(TextWriter.Null, CancellationToken.None);
        var rotated = Assert.Single(await EventsAsync(tenant.Admin, "eventType eq \"master-key.rotate\""));
        Assert.Equal(keyId, rotated.Str("targetId"));
        Assert.True(rotated.GetProperty("data").GetProperty("rewrapped").GetInt32() >= 1);
        Assert.DoesNotContain(canary, rotated.GetRawText(), StringComparison.Ordinal);
    }
}
