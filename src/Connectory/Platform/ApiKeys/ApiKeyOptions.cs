namespace Connectory.Platform.ApiKeys;

internal sealed class ApiKeyOptions
{
    public const string Section = "ApiKeys";

    /// <summary>Lifetime of a key created without <c>expiry</c>.</summary>
    public TimeSpan DefaultExpiry { get; set; } = TimeSpan.FromDays(30);

    /// <summary>The longest <c>expiry</c> a caller may ask for.</summary>
    public TimeSpan MaxExpiry { get; set; } = TimeSpan.FromDays(365);

    /// <summary>Active keys one user may hold at once.</summary>
    public int MaxKeysPerUser { get; set; } = 50;
}
