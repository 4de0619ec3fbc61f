using System.Net.Http.Headers;
using System.Text;

namespace Connectory.ConnectionTesting;

/// <summary>
/// An HTTP(S) endpoint (REST sources, URL statements): the network steps, TLS for https, then one GET of the URL
/// (<c>http</c>), whose status is the outcome: below 400 passes, and redirects are reported, not followed (a
/// redirect could lead where the policy would not let the test go). The request travels over the connection the
/// earlier steps opened and checked; no proxy is used.
/// </summary>
internal static class HttpProbe
{
    public static async Task RunAsync(TestSteps steps, OutboundPolicy policy, TestTarget target, string? username, string? password)
    {
        var socket = await NetworkSteps.ConnectAsync(steps, policy, target.Host, target.Port);
        if (socket is null)
        {
            return;
        }
        Stream stream;
        if (target.Tls)
        {
            if (await NetworkSteps.HandshakeAsync(steps, socket, target.Host, checkCertificate: !target.SkipCertificateCheck) is not { } tls)
            {
                return;
            }
            stream = tls;
        }
        else
        {
            stream = new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
        }
        await using var _ = stream;
        var url = target.Url!;
        // Plain HTTP over the stream opened above (TLS already done there), with the URL's own Host.
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            UseCookies = false,
            ConnectCallback = (_, _) => ValueTask.FromResult(stream),
        };
        using var client = new HttpClient(handler, disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
        using var request = new HttpRequestMessage(HttpMethod.Get, new UriBuilder(url) { Scheme = Uri.UriSchemeHttp, Port = url.Port }.Uri);
        request.Headers.Host = url.Authority;
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("Connectory-ConnectionTest", "1"));
        foreach (var (name, value) in target.Headers)
        {
            if (!name.Equals("Host", StringComparison.OrdinalIgnoreCase))
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }
        }
        if (target.BasicAuth && !string.IsNullOrEmpty(username))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", BasicToken(username, password));
        }
        await steps.RunAsync("http", async ct =>
        {
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
            var code = (int)response.StatusCode;
            var message = $"HTTP {code} {response.ReasonPhrase}{Where(response)}";
            // 4xx and 5xx fail the step, with the status the server gave.
            return code < 400 ? (code, message) : throw new RefusedStatus(message);
        }, e => e switch
        {
            RefusedStatus refused => refused.Message,
            HttpRequestException h => $"no HTTP answer ({h.HttpRequestError})",
            _ => $"no HTTP answer ({e.GetType().Name})",
        });
    }

    sealed class RefusedStatus(string message) : Exception(message);

    public static string BasicToken(string username, string? password) => Convert.ToBase64String(Encoding.UTF8.GetBytes($"{username}:{password}"));

    static string Where(HttpResponseMessage response) =>
        response.Headers.Location is { } location ? $" to {(location.IsAbsoluteUri ? location.GetLeftPart(UriPartial.Path) : location.OriginalString.Split('?')[0])} (not followed)" : "";
}
