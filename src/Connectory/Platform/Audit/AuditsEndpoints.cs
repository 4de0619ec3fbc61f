using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Connectory.Data;
using Connectory.Errors;
using Connectory.Hosting;
using Connectory.Platform.Auth;
using Connectory.Platform.Paging;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Connectory.Platform.Audit;

/// <summary>
/// <c>GET /api/v1/audits</c>: the tenant's audit trail, newest first, for TenantAdmins only (anyone else gets 403;
/// the tenant filter keeps every other tenant's events out). SCIM <c>filter</c>, keyset cursors in <c>next</c>/<c>prev</c>.
/// </summary>
internal static class AuditsEndpoints
{
    static readonly PageSpec Paging = new("audits", ["eventTime"], "-eventTime", 20, ["eventTime"]);

    public static IServiceCollection AddAuditTrail(this IServiceCollection services)
    {
        services.AddHttpContextAccessor();
        services.AddScoped<ChangeAudit>();
        services.AddSettings<AuditOptions>(AuditOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddHostedService<AuditRetention>();
        return services;
    }

    public static RouteGroupBuilder MapAudits(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/audits").RequireAuthorization().WithErrorFamily(ErrorFamilies.Cloud);
        group.MapGet("/", List).FirstOfRepeatedQuery();
        group.MapGet("/{id}", Get);
        return group;
    }

    static async Task<Results<Ok<Audits>, ApiError>> List(
        Caller caller, ConnectoryDb db, PageTokens tokens, HttpRequest request, int? limit, string? sort, string? next, string? prev, string? filter,
        CancellationToken ct)
    {
        if (!caller.IsTenantAdmin)
        {
            return ApiError.Forbidden("Only a TenantAdmin may read the audit trail.");
        }
        var query = db.AuditEvents.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(filter))
        {
            if (AuditFilter.TryParse(filter, out var error) is not { } predicate)
            {
                return ApiError.InvalidParameter("filter", error!);
            }
            query = query.Where(predicate);
        }
        var scope = new PageScope(Paging.List, caller).With("filter", filter);
        if (PageRequest.TryParse(Paging, scope, tokens, limit, sort, next, prev, out var page) is { } invalid)
        {
            return invalid;
        }
        var result = await Keyset.PageAsync(query, a => a.OccurredAt, a => a.Id, a => a.OccurredAt, a => a.Id, page, ct);
        return TypedResults.Ok(new Audits(result.Rows.Select(a => AuditResponse.From(a, request)).ToList(), page.Links(request, result.Next, result.Prev)));
    }

    static async Task<Results<Ok<AuditResponse>, ApiError>> Get(string id, Caller caller, ConnectoryDb db, HttpRequest request, CancellationToken ct)
    {
        if (!caller.IsTenantAdmin)
        {
            return ApiError.Forbidden("Only a TenantAdmin may read the audit trail.");
        }
        return await db.AuditEvents.AsNoTracking().FirstOrDefaultAsync(a => a.Id == id, ct) is { } found
            ? TypedResults.Ok(AuditResponse.From(found, request))
            : ApiError.NotFound($"Audit event '{id}'");
    }
}

internal sealed record Audits(IReadOnlyList<AuditResponse> Data, PageLinks Links);

/// <summary>One event as listed, with Qlik's audit names (<c>eventType</c>, <c>eventTime</c>, <c>userId</c>) where they fit.</summary>
internal sealed record AuditResponse(
    string Id, string TenantId, string EventType, string EventTime,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? UserId,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? UserSubject,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? TargetType,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? TargetId,
    string Outcome, int Status,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? SourceAddress,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? UserAgent,
    JsonNode? Data, AuditLinks Links)
{
    public static AuditResponse From(AuditEvent a, HttpRequest request) => new(
        a.Id, a.TenantId, a.Action, a.OccurredAt.ToRfc3339(), a.ActorUserId, a.ActorSubject, a.TargetKind, a.TargetId, a.Outcome, a.Status,
        a.SourceAddress, a.UserAgent, JsonNode.Parse(a.Detail), new AuditLinks(Urls.To(request, $"/api/v1/audits/{a.Id}")));
}

internal sealed record AuditLinks(Link Self);
