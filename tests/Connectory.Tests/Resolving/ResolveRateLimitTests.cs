using System.Net;
using Connectory.Tests.Support;

namespace Connectory.Tests.Resolving;

/// <summary>Resolutions are limited per user per tenant (Resolve:PermitPerMinute, three here).</summary>
public sealed class ResolveRateLimitTests : IDisposable
{
    readonly ConnectoryFactory factory = ConnectoryFactory.With(new() { ["Resolve:PermitPerMinute"] = "3" });

    public void Dispose() => factory.Dispose();

    [Fact]
    public async Task OverTheLimitIs429WithRetryAfterForThatUserOnly()
    {
        var tenant = await factory.NewTenantAsync();
        var user = await tenant.NewUserAsync("ConnectionResolver");
        var id = await user.Client.NewConnectionAsync(null, "sales", "pw-limit");
        for (var i = 0; i < 3; i++)
        {
            await ApiAssert.OkAsync(await user.Client.ResolveAsync(new { connectionId = id }), HttpStatusCode.Created);
        }

        var refused = await user.Client.ResolveAsync(new { connectionId = id });

        ResolveKit.AssertNoStore(refused);
        var error = await ApiAssert.ErrorAsync(refused, HttpStatusCode.TooManyRequests, "DCERROR-0290");
        Assert.DoesNotContain("pw-limit", error.GetRawText());
        var retryAfter = refused.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter.Value.TotalSeconds, 1, 60);
        // Another user, and the same user's other calls, are not held back.
        var other = await tenant.NewUserAsync("ConnectionResolver");
        await ApiAssert.ErrorAsync(await other.Client.ResolveAsync(new { connectionId = id }), HttpStatusCode.NotFound);
        await user.Client.GetAsync("/api/connectivity/data-sources/endpoints").JsonAsync();

        var audit = await factory.AuditAsync(tenant.Id);
        Assert.Equal([201, 201, 201, 404, 429], audit.Select(a => a.Status).Order());
        Assert.Equal("refused", Assert.Single(audit, a => a.Status == 429).Outcome);
    }
}
