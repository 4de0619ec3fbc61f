using System.Text.Json.Nodes;
using Connectory.Data;
using Connectory.Platform.Auth;

namespace Connectory.Platform.Audit;

/// <summary>Where a request came from: the connection's remote address (as forwarded-header handling leaves it) and its user agent.</summary>
internal sealed record RequestOrigin(string? Address, string? UserAgent)
{
    const int MaxUserAgent = 512;

    public static RequestOrigin Of(HttpContext context)
    {
        var remote = context.Connection.RemoteIpAddress;
        var address = remote is { IsIPv4MappedToIPv6: true } ? remote.MapToIPv4() : remote;
        var agent = context.Request.Headers.UserAgent.ToString();
        return new RequestOrigin(address?.ToString(), agent.Length == 0 ? null : agent.Length > MaxUserAgent ? agent[..MaxUserAgent] : agent);
    }
}

/// <summary>What happened, as an audit event records it. <see cref="Detail"/> must never carry a secret.</summary>
internal sealed record AuditEntry(string Action, string Outcome, int Status, string? TargetKind = null, string? TargetId = null, JsonObject? Detail = null)
{
    public const string Granted = "granted";
    public const string Refused = "refused";
    public const string Failed = "failed";
}

/// <summary>Appends audit events. Each is committed on its own, before the answer it records leaves.</summary>
internal sealed class AuditLog(IServiceScopeFactory scopes, TimeProvider time)
{
    const int MaxDetail = 4096;

    /// <summary>The detail as stored: whole when it fits the column, otherwise only a mark that it did not.</summary>
    public static string Limit(string detail) => detail.Length <= MaxDetail ? detail : "{\"truncated\":true}";

    public async Task RecordAsync(Caller caller, RequestOrigin origin, AuditEntry entry)
    {
        // A context of its own, so that nothing the request's context tracks is saved along, and the request's token
        // is not used: a call whose caller hangs up is recorded all the same.
        await using var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantScope>().TenantId = caller.TenantId;
        var db = scope.ServiceProvider.GetRequiredService<ConnectoryDb>();
        var detail = entry.Detail?.ToJsonString(Errors.ErrorJson.Options) ?? "{}";
        db.AuditEvents.Add(new AuditEvent
        {
            Id = Guid.CreateVersion7().ToString(),
            TenantId = caller.TenantId,
            OccurredAt = time.UtcNow(),
            ActorUserId = caller.UserId,
            ActorSubject = caller.Subject,
            Action = entry.Action,
            TargetKind = entry.TargetKind,
            TargetId = entry.TargetId,
            Outcome = entry.Outcome,
            Status = entry.Status,
            SourceAddress = origin.Address,
            UserAgent = origin.UserAgent,
            Detail = Limit(detail),
        });
        await db.SaveChangesAsync(CancellationToken.None);
    }
}
