using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Connectory.Data;
using Connectory.Platform.Groups;
using Connectory.Platform.Users;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Connectory.Platform.Auth;

/// <summary>Turns a bearer token (a Connectory API key or a trusted JWT) into a <see cref="Caller"/>.</summary>
internal sealed class CallerResolver(
    ConnectoryDb db,
    SignInCache cache,
    TimeProvider time,
    TrustedIssuerKeys issuerKeys,
    UserDirectory users,
    GroupMemberships groups)
{
    static readonly JsonWebTokenHandler JwtHandler = new() { MapInboundClaims = false };

    /// <summary>The users API's limit for subject, name and email; longer claims are not stored.</summary>
    const int MaxClaimLength = 256;

    /// <summary>A JWT has three dot-separated parts; an API key has none.</summary>
    public static bool IsJwt(string token) => token.Count(c => c == '.') == 2;

    public async Task<SignIn> ResolveAsync(string token, CancellationToken ct)
    {
        var tokenHash = ApiKeyTokens.Hash(token);
        // A remembered sign-in never outlives the key or token it was made from.
        if (cache.Find(tokenHash) is { } cached && (cached.Until is not { } until || until > time.GetUtcNow()))
        {
            return cached;
        }
        var result = IsJwt(token) ? await FromJwtAsync(token, ct) : await FromApiKeyAsync(token, ct);
        cache.Remember(tokenHash, result);
        return result;
    }

    async Task<SignIn> FromApiKeyAsync(string token, CancellationToken ct)
    {
        var hash = ApiKeyTokens.Hash(token);
        var row = await db.ApiKeys.IgnoreQueryFilters().AsNoTracking()
            .Where(k => k.TokenHash == hash)
            .Join(db.Users.IgnoreQueryFilters(), k => k.UserId, u => u.Id, (k, u) => new { Key = k, User = u })
            .FirstOrDefaultAsync(ct);
        if (row is null)
        {
            return SignIn.Failed("The API key is not valid.");
        }
        var status = row.Key.StatusAt(time.UtcNow());
        if (status != "active")
        {
            return SignIn.Failed($"The API key is {status}.");
        }
        return await ForUserAsync(row.User, ct) with { Until = new DateTimeOffset(DateTime.SpecifyKind(row.Key.ExpiresAt, DateTimeKind.Utc)) };
    }

    async Task<SignIn> FromJwtAsync(string token, CancellationToken ct)
    {
        JsonWebToken unvalidated;
        try
        {
            unvalidated = JwtHandler.ReadJsonWebToken(token);
        }
        catch (ArgumentException)
        {
            return SignIn.Failed("The bearer token is not a well-formed JWT.");
        }
        if (Unacceptable(unvalidated) is { } refused)
        {
            return SignIn.Failed(refused);
        }
        if (issuerKeys.Find(unvalidated.Issuer) is not { } issuer)
        {
            return SignIn.Failed("The JWT's issuer is not trusted.");
        }
        var validation = await JwtHandler.ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = issuer.Settings.Issuer,
            ValidAudience = issuer.Settings.Audience,
            IssuerSigningKey = issuer.Key,
            ValidAlgorithms = [SecurityAlgorithms.RsaSha256, SecurityAlgorithms.EcdsaSha256],
            RequireSignedTokens = true,
            RequireExpirationTime = true,
            ClockSkew = TimeSpan.FromSeconds(30),
            LifetimeValidator = (notBefore, expires, _, p) =>
            {
                var now = time.GetUtcNow().UtcDateTime;
                return (notBefore is null || notBefore.Value <= now + p.ClockSkew) && expires is not null && expires.Value > now - p.ClockSkew;
            },
        });
        if (!validation.IsValid)
        {
            return SignIn.Failed(validation.Exception switch
            {
                // The lifetime check is ours (it reads the service clock), so its failures arrive as InvalidLifetime.
                SecurityTokenExpiredException or SecurityTokenNoExpirationException or SecurityTokenInvalidLifetimeException
                    => "The JWT has expired, is not yet valid, or has no expiry.",
                SecurityTokenInvalidAudienceException => "The JWT's audience is not accepted.",
                SecurityTokenInvalidIssuerException => "The JWT's issuer is not trusted.",
                SecurityTokenInvalidAlgorithmException => "The JWT's algorithm is not accepted (RS256 or ES256).",
                _ => "The JWT's signature or claims are not valid.",
            });
        }
        var subject = validation.Claims.TryGetValue("sub", out var sub) ? sub as string : null;
        if (string.IsNullOrEmpty(subject))
        {
            return SignIn.Failed("The JWT has no 'sub' claim.");
        }
        if (subject.Length > MaxClaimLength)
        {
            return SignIn.Failed($"The JWT's 'sub' is longer than {MaxClaimLength} characters.");
        }
        var tenant = await db.Tenants.AsNoTracking().FirstOrDefaultAsync(t => t.Id == issuer.Settings.Tenant || t.Name == issuer.Settings.Tenant, ct);
        if (tenant is null)
        {
            return SignIn.Failed("The JWT's issuer is bound to a tenant that does not exist.");
        }
        var claims = validation.Claims;
        var who = new NewUser(
            subject,
            claims.TryGetValue("name", out var name) && name is string { Length: > 0 and <= MaxClaimLength } n ? n : subject,
            claims.TryGetValue("email", out var email) && email is string { Length: <= MaxClaimLength } address ? address : null);
        var user = await users.FindOrCreateAsync(tenant.Id, who, tenant.AutoCreateUsers, ignoreCase: false, ct);
        if (user is null)
        {
            return SignIn.Failed("The JWT's subject is not a user of this tenant.");
        }
        if (user.Status == UserStatus.Active)
        {
            await groups.SyncFromClaimAsync(user, tenant.AutoCreateGroups, GroupNamesIn(claims, issuer.Settings.GroupsClaim), ct);
        }
        return await ForUserAsync(user, ct) with { Until = unvalidated.ValidTo };
    }

    /// <summary>The group names of a claim: a JSON array of strings, or one string; anything else names none.</summary>
    static List<string> GroupNamesIn(IDictionary<string, object> claims, string claim) =>
        !claims.TryGetValue(claim, out var value) ? []
        : value switch
        {
            string one => [one],
            System.Text.Json.JsonElement { ValueKind: System.Text.Json.JsonValueKind.Array } array
                => array.EnumerateArray().Where(e => e.ValueKind == System.Text.Json.JsonValueKind.String).Select(e => e.GetString()!).ToList(),
            System.Collections.IEnumerable many => many.OfType<object>().Select(o => o as string ?? (o is System.Text.Json.JsonElement { ValueKind: System.Text.Json.JsonValueKind.String } e ? e.GetString() : null)).OfType<string>().ToList(),
            _ => [],
        };

    /// <summary>
    /// What the token handler lets pass but the JWT RFCs do not: a <c>crit</c> header naming extensions this service
    /// does not implement (it implements none; RFC 7515 4.1.11), and time claims that are not NumericDate numbers (RFC 7519 2).
    /// </summary>
    static string? Unacceptable(JsonWebToken token)
    {
        if (token.TryGetHeaderValue<object>("crit", out _))
        {
            return "The JWT names critical header extensions ('crit') this service does not understand.";
        }
        try
        {
            using var payload = System.Text.Json.JsonDocument.Parse(Base64UrlEncoder.DecodeBytes(token.EncodedPayload));
            foreach (var claim in new[] { "exp", "nbf", "iat" })
            {
                if (payload.RootElement.TryGetProperty(claim, out var value) && value.ValueKind != System.Text.Json.JsonValueKind.Number)
                {
                    return $"The JWT's '{claim}' is not a NumericDate (a JSON number of seconds).";
                }
            }
        }
        catch (System.Text.Json.JsonException)
        {
            return "The bearer token is not a well-formed JWT.";
        }
        return null;
    }

    async Task<SignIn> ForUserAsync(User user, CancellationToken ct) => user.Status != UserStatus.Active
        ? SignIn.Failed("The user is disabled.")
        : new SignIn(await groups.CallerForAsync(user, ct), null);
}

/// <param name="Until">When the key or token signed in with expires; a remembered sign-in is not used after it.</param>
internal sealed record SignIn(Caller? Caller, string? Failure, DateTimeOffset? Until = null)
{
    public static SignIn Failed(string reason) => new(null, reason);
}

/// <summary>Public keys of the trusted JWT issuers. Options validation reads every file at start, so a bad PEM stops the service early.</summary>
internal sealed class TrustedIssuerKeys
{
    readonly Dictionary<string, (TrustedIssuer Settings, SecurityKey Key)> byIssuer = new(StringComparer.Ordinal);

    public TrustedIssuerKeys(IOptions<AuthOptions> options)
    {
        foreach (var issuer in options.Value.Jwt)
        {
            byIssuer[issuer.Issuer] = (issuer, TryLoad(issuer.PublicKeyFile)
                ?? throw new InvalidOperationException($"Cannot read a public key from {issuer.PublicKeyFile}"));
        }
    }

    public (TrustedIssuer Settings, SecurityKey Key)? Find(string issuer) => byIssuer.TryGetValue(issuer, out var found) ? found : null;

    /// <summary>
    /// An RSA key (RS256) or an EC P-256 key (ES256) from a PEM public key or certificate; null when the file holds
    /// neither, so a misconfigured issuer fails at start instead of failing every sign-in.
    /// </summary>
    public static SecurityKey? TryLoad(string path)
    {
        try
        {
            var pem = File.ReadAllText(path);
            if (pem.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal))
            {
                using var certificate = X509Certificate2.CreateFromPem(pem);
                return certificate.GetRSAPublicKey() is { } certRsa ? new RsaSecurityKey(certRsa)
                    : certificate.GetECDsaPublicKey() is { } certEc ? Ec(certEc)
                    : null;
            }
            var ec = ECDsa.Create();
            try
            {
                ec.ImportFromPem(pem);
                return Ec(ec);
            }
            catch (Exception e) when (e is ArgumentException or CryptographicException)
            {
                ec.Dispose();
            }
            var rsa = RSA.Create();
            rsa.ImportFromPem(pem);
            return rsa.KeySize >= 2048 ? new RsaSecurityKey(rsa) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or CryptographicException)
        {
            return null;
        }
    }

    static ECDsaSecurityKey? Ec(ECDsa key) => key.KeySize == 256 ? new ECDsaSecurityKey(key) : null;
}
