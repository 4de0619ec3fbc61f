using System.Text.Encodings.Web;
using Connectory.Data;
using Connectory.Errors;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Connectory.Platform.Auth;

/// <summary>
/// <c>Authorization: Bearer &lt;token&gt;</c> for every API. Failures are answered in the caller's API family's
/// error shape with a reason that names no part of the token.
/// </summary>
internal sealed class BearerAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    CallerResolver resolver,
    TenantScope tenantScope,
    Hosting.Telemetry.ConnectoryMetrics metrics)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggerFactory, encoder)
{
    public const string SchemeName = "Bearer";
    string? failure;

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (string.IsNullOrWhiteSpace(header))
        {
            failure = "Missing 'Authorization: Bearer <token>' header.";
            return AuthenticateResult.NoResult();
        }
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || header.Length <= 7)
        {
            failure = "The Authorization header must be 'Bearer <token>'.";
            return AuthenticateResult.Fail(failure);
        }
        var token = header[7..].Trim();
        var signIn = await resolver.ResolveAsync(token, Context.RequestAborted);
        metrics.SignIn(CallerResolver.IsJwt(token) ? "jwt" : "api-key", signIn.Caller is not null);
        if (signIn.Caller is not { } caller)
        {
            failure = signIn.Failure;
            return AuthenticateResult.Fail(failure ?? "Unauthorized");
        }
        return caller.SignIn(Context, tenantScope, SchemeName);
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        ErrorFamilies.Of(Context).WriteAsync(Context, ErrorCatalog.Unauthorized, failure ?? "Authentication is required.");

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        ErrorFamilies.Of(Context).WriteAsync(Context, ErrorCatalog.Forbidden, "The caller may not perform this operation.");
}
