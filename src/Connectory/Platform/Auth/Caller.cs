using System.Security.Claims;
using Connectory.Data;
using Connectory.Platform.Users;
using Microsoft.AspNetCore.Authentication;

namespace Connectory.Platform.Auth;

/// <summary>The authenticated user of a request. Handlers take it as a parameter.</summary>
/// <param name="Roles">Tenant roles: the user's own and those their groups grant.</param>
/// <param name="Groups">
/// Ids of the user's active groups in the tenant at sign-in. Access reads memberships from the database (see
/// SpaceLookup.HeldAssignments); an empty list lets it skip them.
/// </param>
internal sealed record Caller(string TenantId, string UserId, string Subject, IReadOnlySet<string> Roles, IReadOnlyList<string>? Groups = null)
{
    public IReadOnlyList<string> GroupIds => Groups ?? [];

    public bool Has(string role) => Roles.Contains(role);
    public bool IsTenantAdmin => Has(TenantRoles.TenantAdmin);
    public bool IsAnyAdmin => IsTenantAdmin || Has(TenantRoles.AnalyticsAdmin) || Has(TenantRoles.DataAdmin);

    public static ValueTask<Caller?> BindAsync(HttpContext context) => ValueTask.FromResult(context.Features.Get<Caller>());

    /// <summary>Signs this caller in to the request (the feature handlers bind, the tenant filter) and makes the ticket of <paramref name="scheme"/>.</summary>
    public AuthenticateResult SignIn(HttpContext context, TenantScope tenantScope, string scheme)
    {
        context.Features.Set(this);
        tenantScope.TenantId = TenantId;
        var identity = new ClaimsIdentity([new Claim("sub", Subject), new Claim("uid", UserId), new Claim("tid", TenantId)], scheme);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), scheme));
    }
}
