using System.Security.Cryptography;
using System.Text;
using Connectory.Data;
using Connectory.Platform.Auth;
using Connectory.Platform.Users;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Connectory.Qrs;

/// <summary>
/// Runs before every /qrs endpoint: the Xrfkey check, then sign-in (a bearer token, or X-Qlik-User from a trusted
/// proxy). It also keeps /qrs answers in the QRS shape, plain text, instead of the Cloud error JSON.
/// </summary>
internal static class QrsGate
{
    public const string XsrfFailure = "XSRF prevention check failed. Possible XSRF discovered.";
    public const string UserHeader = "X-Qlik-User";
    public const string ProxySecretHeader = "X-Connectory-Proxy-Secret";

    public static async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        if (context.Features.Get<IStatusCodePagesFeature>() is { } pages)
        {
            pages.Enabled = false;
        }
        if (!XrfkeyMatches(context.Request))
        {
            await QrsText.WriteAsync(context, StatusCodes.Status403Forbidden, XsrfFailure);
            return;
        }
        if (context.Features.Get<Caller>() is null)
        {
            var (caller, failure) = await SignInFromProxyAsync(context);
            if (caller is null)
            {
                await QrsText.WriteAsync(context, StatusCodes.Status401Unauthorized, failure);
                return;
            }
            context.Features.Set(caller);
            context.RequestServices.GetRequiredService<TenantScope>().TenantId = caller.TenantId;
        }
        try
        {
            await next(context);
        }
        catch (BadHttpRequestException bad) when (!context.Response.HasStarted)
        {
            await QrsText.WriteAsync(context, bad.StatusCode, bad.StatusCode == StatusCodes.Status413PayloadTooLarge ? "The request body is too large." : "Bad request.");
            return;
        }
        catch (Exception e) when (e is not OperationCanceledException && !context.Response.HasStarted)
        {
            var traceId = System.Diagnostics.Activity.Current?.Id ?? context.TraceIdentifier;
            context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Connectory.Qrs")
                .LogError(e, "Unhandled exception for {Method} {Path}, trace {TraceId}", context.Request.Method, context.Request.Path.Value, traceId);
            await QrsText.WriteAsync(context, StatusCodes.Status500InternalServerError, $"An internal error occurred. Quote trace id {traceId} when reporting it.");
            return;
        }
        if (context.Response.StatusCode >= 400 && !context.Response.HasStarted)
        {
            // Unmatched routes and methods leave an empty body: name the status, as QRS does.
            await QrsText.WriteAsync(context, context.Response.StatusCode, ReasonPhrases.GetReasonPhrase(context.Response.StatusCode));
        }
    }

    /// <summary>Query Xrfkey (16 characters of [0-9a-zA-Z]) must equal header X-Qlik-Xrfkey; names are case-insensitive.</summary>
    public static bool XrfkeyMatches(HttpRequest request)
    {
        var query = request.Query["Xrfkey"];
        var header = request.Headers["X-Qlik-Xrfkey"];
        if (query.Count != 1 || header.Count != 1)
        {
            return false;
        }
        var key = query[0]!;
        return key.Length == 16 && key.All(char.IsAsciiLetterOrDigit) && string.Equals(key, header[0], StringComparison.Ordinal);
    }

    static async Task<(Caller? Caller, string Failure)> SignInFromProxyAsync(HttpContext context)
    {
        var request = context.Request;
        if (!string.IsNullOrEmpty(request.Headers.Authorization))
        {
            return (null, "The bearer token is not valid.");
        }
        var options = context.RequestServices.GetRequiredService<IOptions<QrsOptions>>().Value;
        string? userHeader = request.Headers[UserHeader];
        var byCertificate = !string.IsNullOrEmpty(userHeader) && await FromTrustedCertificateAsync(context, options);
        if (string.IsNullOrEmpty(userHeader) || !(byCertificate || FromTrustedProxy(context, options)))
        {
            return (null, "Authentication is required.");
        }
        if (byCertificate)
        {
            context.Features.Set(new QrsCertificateSignIn());
        }
        if (ParseUserHeader(userHeader) is not { } subject)
        {
            return (null, "The X-Qlik-User header must be 'UserDirectory=<directory>; UserId=<user id>'.");
        }
        var db = context.RequestServices.GetRequiredService<ConnectoryDb>();
        var ct = context.RequestAborted;
        var tenant = await db.Tenants.AsNoTracking().FirstOrDefaultAsync(t => t.Id == options.Tenant || t.Name == options.Tenant, ct);
        if (tenant is null)
        {
            return (null, "The configured QRS tenant does not exist.");
        }
        var user = await db.Users.IgnoreQueryFilters().AsNoTracking().FirstOrDefaultAsync(u => u.TenantId == tenant.Id && u.Subject == subject, ct);
        if (user is null && tenant.AutoCreateUsers)
        {
            user = await CreateUserAsync(db, context.RequestServices.GetRequiredService<TimeProvider>(), tenant.Id, subject, ct);
        }
        if (user is null)
        {
            return (null, "The user is not known to this service.");
        }
        return user.Status != UserStatus.Active
            ? (null, "The user is disabled.")
            : (new Caller(user.TenantId, user.Id, user.Subject, user.RoleSet), "");
    }

    /// <summary>A client certificate from the configured authority, on the QRS certificate port when one is set.</summary>
    static async Task<bool> FromTrustedCertificateAsync(HttpContext context, QrsOptions options)
    {
        var certificates = context.RequestServices.GetRequiredService<QrsCertificates>();
        if (!certificates.Enabled || !context.Request.IsHttps || (options.CertificatePort is { } port && context.Connection.LocalPort != port))
        {
            return false;
        }
        return certificates.Trusts(await context.Connection.GetClientCertificateAsync(context.RequestAborted));
    }

    /// <summary>Every configured check must pass: the peer address (when addresses are listed) and the shared secret (when set).</summary>
    static bool FromTrustedProxy(HttpContext context, QrsOptions options)
    {
        if (!options.HeaderSignInEnabled)
        {
            return false;
        }
        if (options.TrustedProxies.Count > 0)
        {
            var remote = context.Connection.RemoteIpAddress;
            if (remote is null || !options.ProxyAddresses().Contains(QrsOptions.Normalize(remote)))
            {
                return false;
            }
        }
        if (!string.IsNullOrEmpty(options.ProxySecret))
        {
            string? given = context.Request.Headers[ProxySecretHeader];
            // Hashing first gives equal lengths, so the comparison takes the same time whatever was sent.
            var expected = SHA256.HashData(Encoding.UTF8.GetBytes(options.ProxySecret));
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

    static async Task<User> CreateUserAsync(ConnectoryDb db, TimeProvider time, string tenantId, string subject, CancellationToken ct)
    {
        var now = time.UtcNow();
        var user = new User
        {
            Id = Ids.New(),
            TenantId = tenantId,
            Subject = subject,
            Name = subject[(subject.IndexOf('\\', StringComparison.Ordinal) + 1)..],
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.Users.Add(user);
        try
        {
            await db.SaveChangesAsync(ct);
            return user;
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            // Another request signed the same user in first: use its row.
            db.ChangeTracker.Clear();
            return await db.Users.IgnoreQueryFilters().AsNoTracking().FirstAsync(u => u.TenantId == tenantId && u.Subject == subject, ct);
        }
    }
}

/// <summary>Marks a request whose user was signed in by a trusted client certificate and its X-Qlik-User header.</summary>
internal sealed class QrsCertificateSignIn;

/// <summary>QRS errors are plain text bodies.</summary>
internal static class QrsText
{
    public static Task WriteAsync(HttpContext context, int status, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync(message);
    }

    public static IResult Result(int status, string message) => TypedResults.Text(message, "text/plain; charset=utf-8", System.Text.Encoding.UTF8, status);
}
