using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Connectory.Data;
using Connectory.Errors;
using Connectory.Platform.Auth;
using Connectory.Platform.Users;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Connectory.Qrs;

/// <summary>
/// <c>X-Qlik-User: UserDirectory=DIR; UserId=ID</c>, believed only from a trusted proxy (its address, the shared proxy
/// secret) or over a trusted client certificate, as QSEoW's Repository API does. Only the /qrs group's policy
/// (<see cref="QrsSignIn"/>) uses this scheme.
/// </summary>
internal sealed class QlikUserAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    IOptions<QrsOptions> qrsOptions,
    QrsCertificates certificates,
    ConnectoryDb db,
    UserDirectory users,
    Platform.Groups.GroupMemberships groups,
    TenantScope tenantScope,
    Hosting.Telemetry.ConnectoryMetrics metrics)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggerFactory, encoder)
{
    public const string SchemeName = "QlikUser";
    public const string UserHeader = "X-Qlik-User";
    public const string ProxySecretHeader = "X-Connectory-Proxy-Secret";
    const string Method = "qlik-user";
    string? failure;

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var settings = qrsOptions.Value;
        string? header = Request.Headers[UserHeader];
        if (string.IsNullOrEmpty(header))
        {
            return AuthenticateResult.NoResult();
        }
        var byCertificate = await FromTrustedCertificateAsync(settings);
        if (!byCertificate && !FromTrustedProxy(settings))
        {
            failure = "Authentication is required.";
            metrics.SignIn(Method, succeeded: false);
            return AuthenticateResult.NoResult();
        }
        if (ParseUserHeader(header) is not { } subject)
        {
            return Failed("The X-Qlik-User header must be 'UserDirectory=<directory>; UserId=<user id>'.");
        }
        var ct = Context.RequestAborted;
        var tenant = await db.Tenants.AsNoTracking().FirstOrDefaultAsync(t => t.Id == settings.Tenant || t.Name == settings.Tenant, ct);
        if (tenant is null)
        {
            return Failed("The configured QRS tenant does not exist.");
        }
        // QSEoW compares user directory and user id without regard to case.
        var who = new NewUser(subject, subject[(subject.IndexOf('\\', StringComparison.Ordinal) + 1)..]);
        var user = await users.FindOrCreateAsync(tenant.Id, who, tenant.AutoCreateUsers, ignoreCase: true, ct);
        if (user is null)
        {
            return Failed("The user is not known to this service.");
        }
        if (user.Status != UserStatus.Active)
        {
            return Failed("The user is disabled.");
        }
        if (byCertificate)
        {
            Context.Features.Set(new QrsCertificateSignIn());
        }
        metrics.SignIn(Method, succeeded: true);
        return (await groups.CallerForAsync(user, ct)).SignIn(Context, tenantScope, SchemeName);
    }

    AuthenticateResult Failed(string reason)
    {
        failure = reason;
        metrics.SignIn(Method, succeeded: false);
        return AuthenticateResult.Fail(reason);
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        ErrorFamilies.Of(Context).WriteAsync(Context, ErrorCatalog.Unauthorized, failure ?? "Authentication is required.");

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        ErrorFamilies.Of(Context).WriteAsync(Context, ErrorCatalog.Forbidden, "The caller may not perform this operation.");

    /// <summary>A client certificate from the configured authority, on the QRS certificate port when one is set.</summary>
    async Task<bool> FromTrustedCertificateAsync(QrsOptions settings)
    {
        if (!certificates.Enabled || !Request.IsHttps || (settings.CertificatePort is { } port && Context.Connection.LocalPort != port))
        {
            return false;
        }
        return certificates.Trusts(await Context.Connection.GetClientCertificateAsync(Context.RequestAborted));
    }

    /// <summary>Every configured check must pass: the peer address (when addresses are listed) and the shared secret (when set).</summary>
    bool FromTrustedProxy(QrsOptions settings)
    {
        if (!settings.HeaderSignInEnabled)
        {
            return false;
        }
        if (settings.TrustedProxies.Count > 0)
        {
            var remote = Context.Connection.RemoteIpAddress;
            if (remote is null || !settings.ProxyAddresses().Contains(QrsOptions.Normalize(remote)))
            {
                return false;
            }
        }
        if (!string.IsNullOrEmpty(settings.ProxySecret))
        {
            string? given = Request.Headers[ProxySecretHeader];
            // Hashing first gives equal lengths, so the comparison takes the same time whatever was sent.
            var expected = SHA256.HashData(Encoding.UTF8.GetBytes(settings.ProxySecret));
            var actual = SHA256.HashData(Encoding.UTF8.GetBytes(given ?? ""));
            if (given is null || !CryptographicOperations.FixedTimeEquals(expected, actual))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary><c>UserDirectory=DIR; UserId=ID</c> (names case-insensitive, any order) as the subject <c>DIR\ID</c>.</summary>
    public static string? ParseUserHeader(string header)
    {
        string? directory = null, id = null;
        foreach (var part in header.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                return null;
            }
            var name = part[..eq].Trim();
            var value = part[(eq + 1)..].Trim();
            if (name.Equals("UserDirectory", StringComparison.OrdinalIgnoreCase))
            {
                directory = value;
            }
            else if (name.Equals("UserId", StringComparison.OrdinalIgnoreCase))
            {
                id = value;
            }
        }
        return string.IsNullOrEmpty(directory) || string.IsNullOrEmpty(id) || directory.Contains('\\', StringComparison.Ordinal)
            ? null
            : directory + "\\" + id;
    }
}

/// <summary>Marks a request whose user was signed in by a trusted client certificate and its X-Qlik-User header.</summary>
internal sealed class QrsCertificateSignIn;

/// <summary>
/// The /qrs group's sign-in: a bearer token when the request carries an Authorization header (or no X-Qlik-User),
/// else X-Qlik-User. Other groups use the default scheme, bearer, so the header means nothing there.
/// </summary>
internal static class QrsSignIn
{
    public const string Scheme = "Qrs";
    public const string Policy = "Qrs";

    public static IServiceCollection AddQrsSignIn(this IServiceCollection services)
    {
        services.AddAuthentication()
            .AddScheme<AuthenticationSchemeOptions, QlikUserAuthenticationHandler>(QlikUserAuthenticationHandler.SchemeName, null)
            .AddPolicyScheme(Scheme, null, o => o.ForwardDefaultSelector = context =>
                string.IsNullOrEmpty(context.Request.Headers.Authorization) && !string.IsNullOrEmpty(context.Request.Headers[QlikUserAuthenticationHandler.UserHeader])
                    ? QlikUserAuthenticationHandler.SchemeName
                    : BearerAuthenticationHandler.SchemeName);
        services.AddAuthorizationBuilder().AddPolicy(Policy, p => p.AddAuthenticationSchemes(Scheme).RequireAuthenticatedUser());
        return services;
    }
}
