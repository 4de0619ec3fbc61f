using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Connectory.Tests.Support;

namespace Connectory.Tests.Hosting;

/// <summary>
/// Requests Kestrel refuses before the app sees them (bytes no request may carry, over-long request lines and header
/// blocks, unknown HTTP versions), sent as raw bytes: each answer still has its family's error body.
/// </summary>
public sealed class EarlyErrorTests(ConnectoryFactory factory) : IClassFixture<ConnectoryFactory>
{
    static readonly byte[] Host = "Host: 127.0.0.1\r\n"u8.ToArray();

    public static TheoryData<string, int, string> CloudCases => new()
    {
        { "GET /api/v1/data-connections/a\0b HTTP/1.1\r\n", 400, "DCERROR-0010" },
        { "GET /api/v1/data-connections/a%00b HTTP/1.1\r\n", 400, "DCERROR-0010" },
        { "GET /api/v1/data-connections?filter=" + new string('a', 17 * 1024) + " HTTP/1.1\r\n", 414, "DCERROR-0140" },
        { "GET /api/v1/users/me HTTP/1.1\r\nX-Big: " + new string('a', 40 * 1024) + "\r\n", 431, "DCERROR-0310" },
        { "GET /api/v1/users/me HTTP/1.1\r\n" + string.Concat(Enumerable.Range(0, 120).Select(i => $"X-H{i}: v\r\n")), 431, "DCERROR-0310" },
        { "GET /api/v1/users/me HTTP/7.3\r\n", 505, "DCERROR-0505" },
        { "GET /api/v1/users/me HTTP/1.1\r\nBad Header Name: x\r\n", 400, "DCERROR-0010" },
        { "NOT-A-REQUEST\r\n", 400, "DCERROR-0010" },
    };

    [StoreIndependentTheory]
    [MemberData(nameof(CloudCases))]
    public async Task CloudPathsAnswerInTheCloudShape(string head, int status, string code)
    {
        var (statusLine, headers, body) = await SendAsync(head);
        Assert.StartsWith($"HTTP/1.1 {status} ", statusLine, StringComparison.Ordinal);
        Assert.Contains("Content-Type: application/json; charset=utf-8", headers);
        var error = JsonDocument.Parse(body).RootElement.GetProperty("errors")[0];
        Assert.Equal(code, error.GetProperty("code").GetString());
        Assert.Equal(status, error.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(error.GetProperty("detail").GetString()));
    }

    [StoreIndependentFact]
    public async Task QrsPathsAnswerInPlainText()
    {
        var (statusLine, headers, body) = await SendAsync("GET /qrs/dataconnection HTTP/1.1\r\nX-Big: " + new string('a', 40 * 1024) + "\r\n");
        Assert.StartsWith("HTTP/1.1 431 ", statusLine, StringComparison.Ordinal);
        Assert.Contains("Content-Type: text/plain; charset=utf-8", headers);
        Assert.Contains("32768 bytes", body, StringComparison.Ordinal);
    }

    [StoreIndependentFact]
    public async Task DcaasPathsAnswerInTheDcaasShape()
    {
        var (statusLine, _, body) = await SendAsync("GET /api/v1/dcaas/actions/data-connections/a\0b HTTP/1.1\r\n");
        Assert.StartsWith("HTTP/1.1 400 ", statusLine, StringComparison.Ordinal);
        Assert.StartsWith("DCAAS-", JsonDocument.Parse(body).RootElement.GetProperty("errors")[0].GetProperty("code").GetString(), StringComparison.Ordinal);
    }

    [StoreIndependentFact]
    public async Task ARefusedRequestAfterAnAnsweredOneOnTheSameConnectionIsShapedToo()
    {
        var good = "GET /api/v1/users/me HTTP/1.1\r\n" + Encoding.ASCII.GetString(Host) + "\r\n";
        var text = await ExchangeAsync(Encoding.ASCII.GetBytes(good + "GET /api/v1/users/me HTTP/1.1\r\nX-Big: " + new string('a', 40 * 1024) + "\r\n" + Encoding.ASCII.GetString(Host) + "\r\n"));
        Assert.StartsWith("HTTP/1.1 401 ", text, StringComparison.Ordinal);
        var second = text.IndexOf("HTTP/1.1 431 ", StringComparison.Ordinal);
        Assert.True(second > 0, text);
        Assert.Contains("DCERROR-0310", text[second..], StringComparison.Ordinal);
    }

    [StoreIndependentFact]
    public async Task AnswersTheAppWritesPassUnchanged()
    {
        // An app answer with an empty body must never be mistaken for Kestrel's: HEAD and 204s stay as they are.
        var text = await ExchangeAsync(Encoding.ASCII.GetBytes("GET /health/live HTTP/1.1\r\n" + Encoding.ASCII.GetString(Host) + "Connection: close\r\n\r\n"));
        Assert.StartsWith("HTTP/1.1 200 ", text, StringComparison.Ordinal);
        Assert.DoesNotContain("errors", text, StringComparison.Ordinal);
    }

    async Task<(string StatusLine, string Headers, string Body)> SendAsync(string head)
    {
        var bytes = Encoding.Latin1.GetBytes(head).Concat(head.Contains("\nHost:", StringComparison.Ordinal) ? [] : Host).Concat("\r\n"u8.ToArray()).ToArray();
        var text = await ExchangeAsync(bytes);
        var split = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        Assert.True(split > 0, $"no answer: '{text}'");
        var headers = text[..split];
        Assert.Contains("Connection: close", headers);
        Assert.Contains("Cache-Control: no-store", headers);
        return (headers[..headers.IndexOf("\r\n", StringComparison.Ordinal)], headers, text[(split + 4)..]);
    }

    /// <summary>Sends the bytes and reads until the server closes the connection (it closes after a refused request).</summary>
    async Task<string> ExchangeAsync(byte[] request)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync("127.0.0.1", factory.BaseAddress.Port, timeout.Token);
        await socket.SendAsync(request, timeout.Token);
        using var answer = new MemoryStream();
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await socket.ReceiveAsync(buffer, timeout.Token)) > 0)
        {
            answer.Write(buffer, 0, read);
        }
        return Encoding.UTF8.GetString(answer.ToArray());
    }
}
