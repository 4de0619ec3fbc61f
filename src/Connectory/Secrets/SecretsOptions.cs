namespace Connectory.Secrets;

internal sealed class SecretsOptions
{
    public const string Section = "Secrets";

    /// <summary>
    /// A file of master keys, one per line: <c>&lt;keyId&gt; &lt;base64 32 bytes&gt;</c>; the last line is the current key.
    /// Every instance over one database must read the same keys (a shared file, re-read when it changes).
    /// </summary>
    public string? MasterKeyFile { get; set; }

    /// <summary>Alternatively one key from the environment (<c>Secrets__MasterKey</c>), as <c>&lt;keyId&gt;:&lt;base64&gt;</c>. Cannot be rotated online.</summary>
    public string? MasterKey { get; set; }

    /// <summary>How often a running instance checks the key file for a new key (0: on every use).</summary>
    public int ReloadSeconds { get; set; } = 5;

    /// <summary>Secrets re-wrapped per transaction by <c>connectory keys rotate</c>.</summary>
    public int RotationBatchSize { get; set; } = 200;
}
