namespace Connectory.Resolving;

internal sealed class ResolveOptions
{
    public const string Section = "Resolve";

    /// <summary>Resolutions one user of one tenant may ask for per minute; further ones are answered 429.</summary>
    public int PermitPerMinute { get; set; } = 60;
}
