namespace Connectory.ConnectionTesting;

/// <summary>The <c>ConnectionTests</c> settings: how long a test may take, how often a user may ask, and where it may go.</summary>
internal sealed class ConnectionTestOptions
{
    public const string Section = "ConnectionTests";

    /// <summary>The whole test, every step together; a step still running then is reported as timed out.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Tests one user of one tenant may run per minute; further ones are answered 429.</summary>
    public int PermitPerMinute { get; set; } = 10;

    /// <summary>
    /// Networks (CIDR, e.g. <c>10.0.0.0/8</c>, or one address) a test may connect to. Empty: every address but the
    /// blocked ones.
    /// </summary>
    public List<string> AllowedNetworks { get; set; } = [];

    /// <summary>Networks a test never connects to, beyond the built-in ones (link-local, cloud metadata, multicast, unspecified).</summary>
    public List<string> BlockedNetworks { get; set; } = [];

    /// <summary>Ports a test may connect to. Empty: any port.</summary>
    public List<int> AllowedPorts { get; set; } = [];

    /// <summary>Folders whose contents (folder connections, SQLite files) a test may look at. Empty: any folder but the service's data directory.</summary>
    public List<string> AllowedPaths { get; set; } = [];
}
