using System.Net;
using System.Net.Sockets;
using Connectory.Data;
using Microsoft.Extensions.Options;

namespace Connectory.ConnectionTesting;

/// <summary>
/// Where a connection test may go. A test is a request the server makes on a user's behalf, so without a rule it would
/// let any user reach what only the server can: the cloud metadata service (169.254.169.254 hands out the machine's
/// credentials), link-local peers, or the service's own files. Checked on the addresses a name resolved to, and the
/// test then connects to the address checked, so a name that resolves differently a moment later changes nothing.
/// </summary>
internal sealed class OutboundPolicy
{
    /// <summary>Never tested, whatever the settings: link-local (metadata services), cloud metadata addresses, unspecified, multicast, broadcast.</summary>
    static readonly (string Network, string Why)[] BuiltIn =
    [
        ("169.254.0.0/16", "link-local, where cloud metadata services answer"),
        ("fe80::/10", "link-local"),
        ("fd00:ec2::254/128", "a cloud metadata address"),
        ("100.100.100.200/32", "a cloud metadata address"),
        ("0.0.0.0/8", "unspecified"),
        ("::/128", "unspecified"),
        ("224.0.0.0/4", "multicast"),
        ("ff00::/8", "multicast"),
        ("255.255.255.255/32", "broadcast"),
    ];

    readonly List<(IPNetwork Network, string Why)> blocked;
    readonly List<IPNetwork> allowed;
    readonly HashSet<int> ports;
    readonly List<string> roots;
    readonly string dataDirectory;

    public OutboundPolicy(IOptions<ConnectionTestOptions> options, DataDirectory data)
    {
        var o = options.Value;
        blocked = BuiltIn.Select(b => (IPNetwork.Parse(b.Network), b.Why))
            .Concat(o.BlockedNetworks.Select(n => (ParseNetwork(n), "blocked by ConnectionTests:BlockedNetworks")))
            .ToList();
        allowed = o.AllowedNetworks.Select(ParseNetwork).ToList();
        ports = [.. o.AllowedPorts];
        roots = o.AllowedPaths.Select(p => RealPath(Path.GetFullPath(p))).ToList();
        dataDirectory = RealPath(data.Path);
    }

    /// <summary>A network setting: CIDR, or one address (its own /32 or /128).</summary>
    public static IPNetwork ParseNetwork(string text)
    {
        var trimmed = text.Trim();
        if (IPNetwork.TryParse(trimmed, out var network))
        {
            return network;
        }
        if (IPAddress.TryParse(trimmed, out var address))
        {
            return new IPNetwork(address, address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128);
        }
        throw new FormatException($"'{trimmed}' is neither a network (CIDR) nor an address.");
    }

    /// <summary>Null when a test may connect to <paramref name="address"/> on <paramref name="port"/>; otherwise why not.</summary>
    public string? Refuse(IPAddress address, int port)
    {
        var plain = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        foreach (var (network, why) in blocked)
        {
            if (network.Contains(plain))
            {
                return $"{plain} is {why}; connection tests never go there";
            }
        }
        if (allowed.Count > 0 && !allowed.Any(n => n.Contains(plain)))
        {
            return $"{plain} is outside ConnectionTests:AllowedNetworks";
        }
        return ports.Count > 0 && !ports.Contains(port) ? $"port {port} is not in ConnectionTests:AllowedPorts" : null;
    }

    /// <summary>Null when a test may look at <paramref name="path"/> (absolute); otherwise why not.</summary>
    public string? RefusePath(string path)
    {
        var real = RealPath(Path.GetFullPath(path));
        if (IsUnder(real, dataDirectory))
        {
            return "the path is inside the service's own data directory";
        }
        return roots.Count > 0 && !roots.Any(r => IsUnder(real, r)) ? "the path is outside ConnectionTests:AllowedPaths" : null;
    }

    static bool IsUnder(string path, string root) =>
        path == root || path.StartsWith(root.EndsWith(Path.DirectorySeparatorChar) ? root : root + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    /// <summary>The path with every symbolic link along it followed, so a link cannot lead a test around the rule.</summary>
    static string RealPath(string full)
    {
        var root = Path.GetPathRoot(full) ?? "/";
        var current = root;
        foreach (var part in full[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            current = Path.Combine(current, part);
            try
            {
                if (new FileInfo(current).ResolveLinkTarget(returnFinalTarget: true) is { } target)
                {
                    current = Path.GetFullPath(target.FullName);
                }
            }
            catch (IOException)
            {
                // A link that leads nowhere (or in a circle) is taken as it is; the test then finds nothing there.
            }
            catch (UnauthorizedAccessException)
            {
                // Not ours to read: taken as it is.
            }
        }
        return current;
    }
}
