using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Connectory.Tests.Support;

/// <summary>A tenant made for one test, with its admin's client and helpers to add users through the API.</summary>
public sealed class TestTenant(ConnectoryFactory factory, string id, string adminUserId, HttpClient admin)
{
    public string Id { get; } = id;
    public string AdminUserId { get; } = adminUserId;
    public HttpClient Admin { get; } = admin;

    /// <summary>Creates a user with the given tenant roles and mints their API key as the admin.</summary>
    public async Task<TestUser> NewUserAsync(params string[] roles)
    {
        var subject = "user-" + Guid.NewGuid().ToString("N")[..10];
        var created = await Admin.PostAsJsonAsync("/api/v1/users", new
        {
            subject,
            name = subject,
            email = subject + "@example.test",
            assignedRoles = roles.Select(r => new { name = r }).ToArray(),
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var userId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        var key = await Admin.PostAsJsonAsync("/api/v1/api-keys", new { description = "test key", sub = userId });
        Assert.Equal(HttpStatusCode.Created, key.StatusCode);
        var token = (await key.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;
        return new TestUser(userId, subject, token, factory.Client(token));
    }

    /// <summary>Creates a space as <paramref name="owner"/> (default: the admin) and returns its id.</summary>
    public async Task<string> NewSpaceAsync(string type, HttpClient? owner = null, string? name = null)
    {
        var response = await (owner ?? Admin).PostAsJsonAsync("/api/v1/spaces", new { name = name ?? $"{type}-{Guid.NewGuid():N}", type });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    public async Task AssignAsync(string spaceId, string userId, params string[] roles)
    {
        var response = await Admin.PostAsJsonAsync($"/api/v1/spaces/{spaceId}/assignments", new { type = "user", assigneeId = userId, roles });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }
}

public sealed record TestUser(string Id, string Subject, string Token, HttpClient Client);
