using System.Net;

namespace Connectory.Platform.Paging;

/// <summary>
/// Where the links this service writes (<c>links.*.href</c>, <c>Location</c>) point. A client follows them with its
/// bearer token, so they never take a host from the request alone: <c>Hosting:PublicUrl</c> when set; otherwise the
/// request's host when it names this machine (a loopback name, the machine's name, the address the client reached)
/// or is listed in <c>AllowedHosts</c>; otherwise the address and port the client actually connected to.
/// </summary>
internal sealed class PublicOrigin
{
    readonly Uri? publicUrl;
    readonly HashSet<string> listedHosts = new(StringComparer.OrdinalIgnoreCase);
    readonly HashSet<string> machineNames = new(StringComparer.OrdinalIgnoreCase) { "localhost", "127.0.0.1", "::1", "[::1]" };

    public PublicOrigin(IConfiguration configuration)
    {
        if (configuration["Hosting:PublicUrl"] is { Length: > 0 } url)
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var parsed) || parsed.Scheme is not ("http" or "https") || parsed.Query.Length > 0)
            {
                throw new InvalidOperationException("Hosting:PublicUrl must be an absolute http(s) URL without a query, e.g. https://connectory.example.com");
            }
            publicUrl = parsed;
        }
        foreach (var host in (configuration["AllowedHosts"] ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (host != "*")
            {
                listedHosts.Add(host);
            }
        }
        try
        {
            var name = Dns.GetHostName();
            machineNames.Add(name);
            machineNames.Add(name.Split('.')[0]);
        }
        catch (System.Net.Sockets.SocketException)
        {
            // No machine name: loopback names and the reached address still count.
        }
    }

    /// <summary>The scheme, host and path base links to this request's service start with.</summary>
    public (string Scheme, HostString Host, PathString PathBase) Of(HttpRequest request)
    {
        if (publicUrl is not null)
        {
            return (publicUrl.Scheme, new HostString(publicUrl.Authority), new PathString(publicUrl.AbsolutePath.TrimEnd('/')) + request.PathBase);
        }
        var host = request.Host;
        var connection = request.HttpContext.Connection;
        if (host.HasValue && listedHosts.Contains(host.Host))
        {
            return (request.Scheme, host, request.PathBase);
        }
        // A name of this machine, on the port the client reached.
        var reached = connection.LocalIpAddress;
        var named = host.HasValue && (machineNames.Contains(host.Host) || (reached is not null && IPAddress.TryParse(host.Host.Trim('[', ']'), out var ip) && ip.Equals(reached)));
        if (named && (host.Port is null || host.Port == connection.LocalPort || connection.LocalPort == 0))
        {
            return (request.Scheme, host, request.PathBase);
        }
        if (reached is null)
        {
            return (request.Scheme, new HostString("localhost"), request.PathBase);
        }
        var address = reached.IsIPv4MappedToIPv6 ? reached.MapToIPv4() : reached;
        var text = address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString();
        return (request.Scheme, new HostString(text, connection.LocalPort), request.PathBase);
    }
}
