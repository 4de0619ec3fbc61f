using Connectory.Hosting;
using Microsoft.AspNetCore.Authentication;

namespace Connectory.Platform.Auth;

internal static class AuthRegistration
{
    public static IServiceCollection AddConnectoryAuth(this IServiceCollection services)
    {
        services.AddSettings<AuthOptions>(AuthOptions.Section)
            .Validate(o => o.SignInCacheSeconds is >= 0 and <= 60, "Auth:SignInCacheSeconds must be between 0 and 60.")
            .Validate(o => o.Jwt.All(j => j.Issuer.Length > 0 && j.Audience.Length > 0 && File.Exists(j.PublicKeyFile)),
                "Each Auth:Jwt entry needs Issuer, Audience and an existing PublicKeyFile.")
            .Validate(o => o.Jwt.All(j => TrustedIssuerKeys.TryLoad(j.PublicKeyFile) is not null),
                "Each Auth:Jwt PublicKeyFile must hold a PEM public key or certificate: RSA of at least 2048 bits (RS256) or EC P-256 (ES256).")
            .ValidateOnStart();
        services.AddMemoryCache();
        services.AddSingleton<TrustedIssuerKeys>();
        services.AddSingleton<SignInCache>();
        services.AddScoped<CallerResolver>();
        services.AddScoped<Users.UserDirectory>();
        services.AddScoped<Groups.GroupMemberships>();
        services.AddAuthentication(BearerAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, BearerAuthenticationHandler>(BearerAuthenticationHandler.SchemeName, null);
        services.AddAuthorization();
        return services;
    }
}
