using System.Net;
using System.Net.Http.Json;
using Connectory.Tests.Support;

namespace Connectory.Tests.Platform;

/// <summary>
/// With every log category at Trace, no log line carries a key, a token, an Authorization header value, a password or a
/// query value, and a 409 is logged as an answer, never as an error with a stack trace.
/// </summary>
public sealed class LogHygieneTests : IDisposable
{
    readonly ConnectoryFactory factory = ConnectoryFactory.With(new()
    {
        ["Logging:LogLevel:Default"] = "Trace",
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Trace",
        ["Logging:LogLevel:Microsoft.EntityFrameworkCore"] = "Trace",
        ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Trace",
    });

    public void Dispose() => factory.Dispose();

    [Fact]
    public async Task NoSecretReachesTheLogs()
    {
        var secrets = new List<string> { factory.BootstrapKey };
        var admin = factory.Client(factory.BootstrapKey);
        await admin.GetAsync("/api/v1/users/me").JsonAsync();

        // Keys minted, used, listed, revoked, expired.
        var tenant = await factory.NewTenantAsync();
        var user = await tenant.NewUserAsync();
        secrets.Add(user.Token);
        await user.Client.GetAsync("/api/v1/users/me").JsonAsync();
        await user.Client.GetAsync("/api/v1/api-keys").JsonAsync();
        var minted = await tenant.Admin.PostAsJsonAsync("/api/v1/api-keys", new { description = "short", expiry = "PT1H", sub = user.Id }).JsonAsync(HttpStatusCode.Created);
        var token = minted.GetProperty("token").GetString()!;
        secrets.Add(token);
        await factory.Client(token).GetAsync("/api/v1/spaces").JsonAsync();
        Assert.Equal(HttpStatusCode.NoContent, (await tenant.Admin.DeleteAsync($"/api/v1/api-keys/{minted.GetProperty("id").GetString()}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await factory.Client(token).GetAsync("/api/v1/spaces")).StatusCode);
        var expiring = await user.Client.PostAsJsonAsync("/api/v1/api-keys", new { description = "expiring", expiry = "PT1H" }).JsonAsync(HttpStatusCode.Created);
        var expiringToken = expiring.GetProperty("token").GetString()!;
        secrets.Add(expiringToken);
        factory.Clock.Offset = TimeSpan.FromHours(2);
        Assert.Equal(HttpStatusCode.Unauthorized, (await factory.Client(expiringToken).GetAsync("/api/v1/users/me")).StatusCode);
        factory.Clock.Offset = TimeSpan.Zero;

        // Failures: unknown keys, malformed JWTs, other schemes, a body that is not JSON, an unknown route.
        var unknown = "cnx_" + Guid.NewGuid().ToString("N") + Guid.NewGuid().ToString("N");
        secrets.Add(unknown);
        Assert.Equal(HttpStatusCode.Unauthorized, (await factory.Client(unknown).GetAsync("/api/v1/users/me")).StatusCode);
        var fakeJwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzZWNyZXQtc3ViamVjdC0xMjM0NSJ9.c2lnbmF0dXJlLXNlY3JldC0xMjM0NQ";
        secrets.Add(fakeJwt);
        Assert.Equal(HttpStatusCode.Unauthorized, (await factory.Client(fakeJwt).GetAsync("/api/v1/users/me")).StatusCode);
        var basic = factory.Client(null);
        basic.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", "Basic " + factory.BootstrapKey + "-basic");
        secrets.Add(factory.BootstrapKey + "-basic");
        Assert.Equal(HttpStatusCode.Unauthorized, (await basic.GetAsync("/api/v1/users/me")).StatusCode);
        await ApiAssert.ErrorAsync(await user.Client.PostAsync("/api/v1/spaces", new StringContent("{\"name\":", System.Text.Encoding.UTF8, "application/json")), HttpStatusCode.BadRequest);
        await ApiAssert.ErrorAsync(await user.Client.GetAsync("/api/v1/nothing-here"), HttpStatusCode.NotFound);

        // Everyday work: users, spaces, assignments, connections.
        var space = await tenant.NewSpaceAsync("shared");
        await tenant.AssignAsync(space, user.Id, "producer");
        await user.Client.NewConnectionAsync(space);
        await tenant.Admin.GetAsync("/api/v1/users?limit=1").JsonAsync();

        // A connection's password and a query value, and a name taken twice (409, an expected answer, not an error).
        const string Password = "canary-hygiene-pw-31c7";
        const string QueryValue = "canary-hygiene-query-8d2e";
        secrets.AddRange([Password, QueryValue]);
        var body = new Dictionary<string, object?>
        {
            ["qName"] = "hygiene",
            ["qType"] = "QvOdbcPostgres.exe",
            ["datasourceID"] = "postgres",
            ["space"] = space,
            ["qConnectStatement"] = "CUSTOM CONNECT TO \"provider=QvOdbcPostgres.exe;host=db.example;port=5432;\"",
            ["qUsername"] = "reader",
            ["qPassword"] = Password,
        };
        Assert.Equal(HttpStatusCode.Created, (await user.Client.PostAsJsonAsync("/api/v1/data-connections", body)).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await user.Client.PostAsJsonAsync("/api/v1/data-connections", body)).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await user.Client.PostAsJsonAsync("/api/connectivity/data-connections", body)).StatusCode);
        await user.Client.GetAsync($"/api/v1/data-connections?filter=qName eq \"{QueryValue}\"").JsonAsync();

        var lines = factory.Logs.ToArray();
        Assert.NotEmpty(lines);
        foreach (var secret in secrets)
        {
            var leaking = lines.FirstOrDefault(l => l.Contains(secret, StringComparison.Ordinal) || l.Contains(secret[4..], StringComparison.Ordinal));
            Assert.True(leaking is null, $"a log line carries a secret: {leaking}");
        }
        Assert.DoesNotContain(lines, l => l.Contains("Bearer ", StringComparison.OrdinalIgnoreCase) && l.Contains("cnx_", StringComparison.Ordinal));
        // Conflicts are answered, not failures: no error-level line, no stack trace.
        Assert.DoesNotContain(lines, l => l.StartsWith("Error ", StringComparison.Ordinal) || l.StartsWith("Critical ", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains("   at ", StringComparison.Ordinal));
        // One access line per request, by route template.
        Assert.Contains(lines, l => l.StartsWith("Information Connectory.Access: POST /api/v1/data-connections/ 409", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("Information Connectory.Access: POST /api/connectivity/data-connections/ 409", StringComparison.Ordinal));
    }
}
