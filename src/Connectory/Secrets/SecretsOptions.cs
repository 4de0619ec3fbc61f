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

    /// <summary>Passwords and connection secrets given as <c>env://NAME</c> or <c>file:///path</c> (see <see cref="SecretReferences"/>).</summary>
    public SecretReferenceOptions References { get; set; } = new();
}

internal sealed class SecretReferenceOptions
{
    /// <summary>The schemes a secret may name: <c>env</c>, <c>file</c>; none by default (references are refused).</summary>
    [Hosting.CommaSeparated]
    public List<string> Schemes { get; set; } = [];

    /// <summary>
    /// Environment variables a reference may name: exact names, or prefixes ending in <c>*</c>; <c>{tenant}</c> stands
    /// for the tenant's id in upper case (default <c>CONNECTORY_SECRET_{tenant}_*</c>).
    /// </summary>
    [Hosting.CommaSeparated]
    public List<string> EnvNames { get; set; } = [];

    /// <summary>
    /// Directories whose files a reference may name; <c>{tenant}</c> stands for the tenant's id (default
    /// <c>/run/secrets/{tenant}</c> and <c>/run/credentials/{tenant}</c>: Docker and Kubernetes secrets, systemd credentials).
    /// </summary>
    [Hosting.CommaSeparated]
    public List<string> Paths { get; set; } = [];

    public static readonly string[] DefaultEnvNames = ["CONNECTORY_SECRET_{tenant}_*"];
    public static readonly string[] DefaultPaths = ["/run/secrets/{tenant}", "/run/credentials/{tenant}"];
}
