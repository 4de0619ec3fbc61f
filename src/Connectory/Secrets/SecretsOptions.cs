namespace Connectory.Secrets;

internal sealed class SecretsOptions
{
    public const string Section = "Secrets";

    /// <summary>
    /// A file of master keys, one per line: <c>&lt;keyId&gt; &lt;base64 32 bytes&gt;</c>; the last line is the current key.
    /// Every instance over one database must read the same keys.
    /// </summary>
    public string? MasterKeyFile { get; set; }

    /// <summary>Alternatively one key from the environment (<c>Secrets__MasterKey</c>), as <c>&lt;keyId&gt;:&lt;base64&gt;</c>.</summary>
    public string? MasterKey { get; set; }
}
