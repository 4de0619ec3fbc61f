using System.Text;
using Microsoft.Extensions.Options;

namespace Connectory.Secrets;

/// <summary>
/// A password or connection secret given as a reference, <c>env://NAME</c> or <c>file:///path</c>, rather than a value:
/// the reference is what is stored (encrypted like any secret), and the value is read only when the secret is used
/// (resolve, test), so it lives in the environment or a mounted file and nowhere in the database. Which schemes, names
/// and directories may be named is an admin setting (<see cref="SecretReferenceOptions"/>), off by default. Text in this
/// syntax is always a reference, never a literal password: with references off it is refused when written, and a
/// stored one fails when used, rather than being sent to a data source as the password.
/// The environment and the file system are the process's, shared by every tenant: each allowed name and directory may
/// hold <c>{tenant}</c>, replaced by the tenant's id, so one tenant's reference can never name another's secret; and
/// only a TenantAdmin stores a reference (commands run by the operator may too).
/// </summary>
internal sealed class SecretReferences(IOptionsMonitor<SecretsOptions> options, IHttpContextAccessor http)
{
    public const string TenantPlaceholder = "{tenant}";

    const string Env = "env";
    const string File = "file";

    /// <summary>The longest value a referenced file may hold.</summary>
    public const int MaxFileBytes = 64 * 1024;

    public static bool IsReference(string? secret) =>
        secret is not null && (secret.StartsWith("env://", StringComparison.OrdinalIgnoreCase) || secret.StartsWith("file://", StringComparison.OrdinalIgnoreCase));

    /// <summary>Why a secret about to be stored in <paramref name="tenantId"/> may not be; null for a value, or a reference the settings allow.</summary>
    public string? Refusal(string? secret, string tenantId)
    {
        if (!IsReference(secret))
        {
            return null;
        }
        if (Parse(secret!, tenantId).Error is { } error)
        {
            return error;
        }
        return http.HttpContext?.Features.Get<Platform.Auth.Caller>() is { IsTenantAdmin: false }
            ? "only a TenantAdmin may store a secret reference"
            : null;
    }

    /// <summary>The value a secret stands for: itself, or what its reference names now.</summary>
    /// <exception cref="SecretReferenceException">The reference is not allowed, or names nothing readable.</exception>
    public async Task<string?> ValueOfAsync(string? secret, string tenantId, CancellationToken ct)
    {
        if (!IsReference(secret))
        {
            return secret;
        }
        var (scheme, name, error) = Parse(secret!, tenantId);
        if (error is not null)
        {
            throw new SecretReferenceException(Shown(secret!), error);
        }
        if (scheme == Env)
        {
            return Environment.GetEnvironmentVariable(name!) is { Length: > 0 } value
                ? value
                : throw new SecretReferenceException(Shown(secret!), $"the environment variable {name} is not set");
        }
        try
        {
            var info = new FileInfo(name!);
            if (!info.Exists)
            {
                throw new SecretReferenceException(Shown(secret!), "the file does not exist");
            }
            if (info.Length > MaxFileBytes)
            {
                throw new SecretReferenceException(Shown(secret!), $"the file holds more than {MaxFileBytes} bytes");
            }
            var text = await System.IO.File.ReadAllTextAsync(name!, Encoding.UTF8, ct);
            // Secret files are usually written with a trailing newline that is not part of the secret.
            return text.EndsWith("\r\n", StringComparison.Ordinal) ? text[..^2] : text.EndsWith('\n') ? text[..^1] : text;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SecretReferenceException(Shown(secret!), e is UnauthorizedAccessException ? "the file is not readable by the service" : "the file could not be read");
        }
    }

    (string? Scheme, string? Name, string? Error) Parse(string secret, string tenantId)
    {
        var settings = options.CurrentValue.References;
        var separator = secret.IndexOf("://", StringComparison.Ordinal);
        var scheme = secret[..separator].ToLowerInvariant();
        var rest = secret[(separator + 3)..];
        if (!settings.Schemes.Contains(scheme, StringComparer.OrdinalIgnoreCase))
        {
            return (null, null, settings.Schemes.Count == 0
                ? "secret references are off (an admin enables them with Secrets:References:Schemes)"
                : $"the {scheme}:// scheme is not enabled (Secrets:References:Schemes: {string.Join(", ", settings.Schemes)})");
        }
        if (scheme == Env)
        {
            if (rest.Length is 0 or > 256 || !rest.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
            {
                return (null, null, "an environment variable name has letters, digits and underscores only");
            }
            var allowed = (settings.EnvNames.Count > 0 ? settings.EnvNames : [.. SecretReferenceOptions.DefaultEnvNames])
                .Select(n => n.Replace(TenantPlaceholder, EnvironmentName(tenantId), StringComparison.Ordinal)).ToList();
            return allowed.Any(a => a.EndsWith('*') ? rest.StartsWith(a[..^1], StringComparison.Ordinal) : rest == a)
                ? (Env, rest, null)
                : (null, null, $"the variable is not one references may name (Secrets:References:EnvNames: {string.Join(", ", allowed)})");
        }
        // file:///run/secrets/db: an absolute path, no host part.
        if (!rest.StartsWith('/') || rest.Contains('\0'))
        {
            return (null, null, "a file reference is file:// followed by an absolute path (file:///run/secrets/name)");
        }
        var path = Path.GetFullPath(Uri.UnescapeDataString(rest));
        var directories = (settings.Paths.Count > 0 ? settings.Paths : [.. SecretReferenceOptions.DefaultPaths])
            .Select(d => d.Replace(TenantPlaceholder, tenantId, StringComparison.Ordinal)).ToList();
        var inside = directories.Any(d =>
        {
            var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(d)) + Path.DirectorySeparatorChar;
            return path.StartsWith(root, StringComparison.Ordinal) && ResolvesInside(path, root);
        });
        return inside ? (File, path, null) : (null, null, $"the path is outside the directories references may name (Secrets:References:Paths: {string.Join(", ", directories)})");
    }

    /// <summary>The tenant id as it appears in a variable name: upper case, anything but letters and digits as <c>_</c>.</summary>
    public static string EnvironmentName(string tenantId) =>
        string.Concat(tenantId.Select(c => char.IsAsciiLetterOrDigit(c) ? char.ToUpperInvariant(c) : '_'));

    /// <summary>A symbolic link inside an allowed directory must not lead out of it.</summary>
    static bool ResolvesInside(string path, string root)
    {
        try
        {
            var target = new FileInfo(path).ResolveLinkTarget(returnFinalTarget: true)?.FullName;
            return target is null || target.StartsWith(root, StringComparison.Ordinal);
        }
        catch (IOException)
        {
            return true;
        }
    }

    /// <summary>The reference as an error may quote it: it names where the secret is, never the secret; cut when long.</summary>
    static string Shown(string reference) => reference.Length > 300 ? reference[..300] + "..." : reference;
}

/// <summary>A secret reference that cannot be used: not allowed, or naming nothing readable. The message names the reference, never a value.</summary>
internal sealed class SecretReferenceException(string reference, string reason) : Exception($"The secret reference {reference} cannot be used: {reason}.")
{
    public string Reference { get; } = reference;
}
