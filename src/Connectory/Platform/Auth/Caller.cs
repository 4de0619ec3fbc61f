using Connectory.Platform.Users;

namespace Connectory.Platform.Auth;

/// <summary>The authenticated user of a request. Handlers take it as a parameter.</summary>
internal sealed record Caller(string TenantId, string UserId, string Subject, IReadOnlySet<string> Roles)
{
    public bool Has(string role) => Roles.Contains(role);
    public bool IsTenantAdmin => Has(TenantRoles.TenantAdmin);
    public bool IsAnyAdmin => IsTenantAdmin || Has(TenantRoles.AnalyticsAdmin) || Has(TenantRoles.DataAdmin);

    public static ValueTask<Caller?> BindAsync(HttpContext context) => ValueTask.FromResult(context.Features.Get<Caller>());
}
