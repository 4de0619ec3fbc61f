namespace Connectory.Secrets;

/// <summary>
/// A configuration value kept encrypted at rest: <c>sealed:</c> followed by a stored secret under the master keys,
/// bound to the setting's name, so a sealed value moved to another setting does not open. Made by
/// <c>connectory secrets seal --setting NAME</c>.
/// </summary>
internal static class SealedSetting
{
    public const string Prefix = "sealed:";

    static SecretContext ContextFor(string setting) => new("", "configuration", setting.ToLowerInvariant());

    public static string Seal(SecretProtector protector, string setting, string plaintext) =>
        Prefix + protector.Protect(plaintext, ContextFor(setting));

    public static bool IsSealed(string value) => value.StartsWith(Prefix, StringComparison.Ordinal);

    /// <summary>The value itself when it is not sealed; its plaintext when it is; null when it does not open here.</summary>
    public static string? Open(SecretProtector protector, string setting, string value) =>
        IsSealed(value) ? protector.TryUnprotect(value[Prefix.Length..], ContextFor(setting)) : value;
}
