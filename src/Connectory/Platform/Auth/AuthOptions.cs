namespace Connectory.Platform.Auth;

internal sealed class AuthOptions
{
    public const string Section = "Auth";

    /// <summary>When set, the bootstrap admin's API key takes this value instead of a random one (automation, tests).</summary>
    public string? BootstrapApiKey { get; set; }

    /// <summary>
    /// How long a validated token's sign-in is remembered by one instance. The instance that revokes a key or
    /// changes a user forgets that user's sign-ins at once; this bounds how long other instances may still honour them.
    /// </summary>
    public int SignInCacheSeconds { get; set; } = 5;

    public List<TrustedIssuer> Jwt { get; set; } = [];

    /// <summary>Names of groups whose members are TenantAdmin in the group's own tenant, however they are members.</summary>
    public List<string> AdminGroups { get; set; } = [];
}

/// <summary>A JWT issuer whose tokens sign users into one tenant.</summary>
internal sealed class TrustedIssuer
{
    public string Issuer { get; set; } = "";
    public string Audience { get; set; } = "";
    /// <summary>PEM file with the issuer's public key (RSA for RS256, EC P-256 for ES256).</summary>
    public string PublicKeyFile { get; set; } = "";
    /// <summary>The tenant (id or name) whose users this issuer signs in.</summary>
    public string Tenant { get; set; } = "default";
    /// <summary>The claim naming the user's groups (an array of names, or one name); read at every sign-in.</summary>
    public string GroupsClaim { get; set; } = "groups";
}
