using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;

namespace Connectory.ConnectionTesting;

/// <summary>The network half of a test: resolve the name, check the addresses against the policy, connect, and a TLS handshake.</summary>
internal static class NetworkSteps
{
    /// <summary>The <c>resolve</c>, <c>policy</c> and <c>connect</c> steps; the connected socket, or null when one failed.</summary>
    public static async Task<Socket?> ConnectAsync(TestSteps steps, OutboundPolicy policy, string host, int port)
    {
        var (resolved, addresses) = await steps.RunAsync("resolve", async ct =>
        {
            if (IPAddress.TryParse(host, out var literal))
            {
                return (new[] { literal }, $"{host} is an address");
            }
            var found = await Dns.GetHostAddressesAsync(host, ct);
            if (found.Length == 0)
            {
                throw new SocketException((int)SocketError.HostNotFound);
            }
            return (found, $"{host} is {string.Join(", ", found.Take(4).Select(a => a.ToString()))}");
        }, e => e is SocketException s ? $"{host} did not resolve ({Describe(s.SocketErrorCode)})" : $"{host} did not resolve ({e.GetType().Name})");
        if (!resolved)
        {
            return null;
        }
        // Every address the name has must pass: a name that also points inside is refused, not tried elsewhere.
        if (addresses!.Select(a => policy.Refuse(a, port)).FirstOrDefault(r => r is not null) is { } refused)
        {
            steps.Fail("policy", 0, refused);
            return null;
        }
        steps.Pass("policy", 0, $"port {port} of {string.Join(", ", addresses!.Take(4).Select(a => a.ToString()))} may be tested");
        var (connected, socket) = await steps.RunAsync("connect", async ct =>
        {
            SocketException? last = null;
            foreach (var address in addresses!)
            {
                var candidate = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await candidate.ConnectAsync(new IPEndPoint(address, port), ct);
                    return (candidate, $"connected to {Endpoint(address, port)}");
                }
                catch (SocketException e)
                {
                    candidate.Dispose();
                    last = e;
                }
                catch
                {
                    candidate.Dispose();
                    throw;
                }
            }
            throw last!;
        }, e => e is SocketException s ? $"{host} port {port}: {Describe(s.SocketErrorCode)}" : $"{host} port {port}: {e.GetType().Name}");
        return connected ? socket : null;
    }

    /// <summary>The <c>tls</c> step over <paramref name="socket"/> (which the stream then owns); the stream, or null when it failed.</summary>
    public static async Task<SslStream?> HandshakeAsync(TestSteps steps, Socket socket, string host, bool checkCertificate)
    {
        var problems = SslPolicyErrors.None;
        string? subject = null;
        var stream = new SslStream(new NetworkStream(socket, ownsSocket: true), leaveInnerStreamOpen: false);
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = host,
            RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
            {
                problems = errors;
                subject = certificate?.Subject;
                return !checkCertificate || errors == SslPolicyErrors.None;
            },
        };
        var (ok, _) = await steps.RunAsync("tls", async ct =>
        {
            await stream.AuthenticateAsClientAsync(options, ct);
            var trust = problems == SslPolicyErrors.None ? "trusted" : $"not checked ({problems}; skipServerCertificateValidation)";
            return (true, $"{stream.SslProtocol}, certificate {subject} {trust}");
        }, e => problems != SslPolicyErrors.None && checkCertificate
            ? $"the server's certificate ({subject}) is not trusted: {Explain(problems)}"
            : $"the TLS handshake failed ({(e is AuthenticationException or IOException ? e.Message : e.GetType().Name)})");
        if (!ok)
        {
            await stream.DisposeAsync();
            return null;
        }
        return stream;
    }

    static string Explain(SslPolicyErrors errors)
    {
        var reasons = new List<string>();
        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
        {
            reasons.Add("it is not issued for this host name");
        }
        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateChainErrors))
        {
            reasons.Add("its chain does not lead to a trusted root (self-signed, or an unknown authority)");
        }
        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            reasons.Add("the server sent none");
        }
        return string.Join("; ", reasons);
    }

    public static string Endpoint(IPAddress address, int port) =>
        address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{address}]:{port}" : $"{address}:{port}";

    static string Describe(SocketError error) => error switch
    {
        SocketError.ConnectionRefused => "connection refused: nothing listens there",
        SocketError.HostNotFound or SocketError.NoData => "no such host",
        SocketError.TryAgain => "the name server did not answer",
        SocketError.HostUnreachable or SocketError.NetworkUnreachable or SocketError.HostDown or SocketError.NetworkDown => "unreachable",
        SocketError.TimedOut => "timed out",
        SocketError.AccessDenied => "the operating system refused the connection",
        _ => error.ToString(),
    };
}
