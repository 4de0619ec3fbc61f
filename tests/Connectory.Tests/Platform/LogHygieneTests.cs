using System.Net;
using System.Net.Http.Json;
using Connectory.Tests.Support;

namespace Connectory.Tests.Platform;

/// <summary>With every log category at Trace, no log line carries a key, a token or an Authorization header value.</summary>
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

        var lines = factory.Logs.ToArray();
        Assert.NotEmpty(lines);
        foreach (var secret in secrets)
        {
            var leaking = lines.FirstOrDefault(l => l.Contains(secret, StringComparison.Ordinal) || l.Contains(secret[4..], StringComparison.Ordinal));
            Assert.True(leaking is null, $"a log line carries a secret: {leaking}");
        }
        Assert.DoesNotContain(lines, l => l.Contains("Bearer ", StringComparison.OrdinalIgnoreCase) && l.Contains("cnx_", StringComparison.Ordinal));
    }
}
