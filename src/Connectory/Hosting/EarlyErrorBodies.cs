using System.Buffers;
using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Text;
using Connectory.Errors;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Connectory.Hosting;

/// <summary>
/// Kestrel answers some requests itself, before any middleware runs: a NUL or other bad byte in the request line or a
/// header, an over-long request line or header block, headers that arrive too slowly, an unknown HTTP version. Its
/// answer is a bare status with an empty body. This connection middleware recognizes that answer as Kestrel writes it
/// (one header block: an error status, <c>Content-Length: 0</c>, <c>Connection: close</c>) and gives it the error
/// body of the API family the request's path belongs to, so every answer of the service carries its family's shape.
/// </summary>
internal static class EarlyErrorBodies
{
    public static void Use(ListenOptions listen)
    {
        var answers = new EarlyAnswers(listen.ApplicationServices);
        listen.Use(next => connection =>
        {
            var state = new EarlyRequest();
            connection.Transport = new Duplex(new RequestLineReader(connection.Transport.Input, state), new AnswerWriter(connection.Transport.Output, state, answers));
            return next(connection);
        });
    }

    sealed class Duplex(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;
        public PipeWriter Output { get; } = output;
    }

    /// <summary>The path of the request being read on a connection, as far as its request line could be read.</summary>
    sealed class EarlyRequest
    {
        public string Path { get; private set; } = "/";

        /// <summary>Notes the path when <paramref name="buffer"/> starts with a request line (a method, a space, a path).</summary>
        public void Note(ReadOnlySequence<byte> buffer)
        {
            Span<byte> head = stackalloc byte[256];
            var length = (int)Math.Min(buffer.Length, head.Length);
            buffer.Slice(0, length).CopyTo(head);
            head = head[..length];
            var space = head.IndexOf((byte)' ');
            if (space is < 3 or > 10 || space + 1 >= head.Length || head[space + 1] != (byte)'/' || !IsMethod(head[..space]))
            {
                return;
            }
            var target = head[(space + 1)..];
            var end = target.IndexOfAny((byte)' ', (byte)'?', (byte)'\r');
            Path = Encoding.ASCII.GetString(end < 0 ? target : target[..end]);
        }

        static bool IsMethod(ReadOnlySpan<byte> token)
        {
            foreach (var b in token)
            {
                if (b is < (byte)'A' or > (byte)'Z')
                {
                    return false;
                }
            }
            return true;
        }
    }

    sealed class RequestLineReader(PipeReader inner, EarlyRequest request) : PipeReader
    {
        public override async ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
        {
            var result = await inner.ReadAsync(cancellationToken);
            request.Note(result.Buffer);
            return result;
        }

        public override bool TryRead(out ReadResult result)
        {
            if (!inner.TryRead(out result))
            {
                return false;
            }
            request.Note(result.Buffer);
            return true;
        }

        public override void AdvanceTo(SequencePosition consumed) => inner.AdvanceTo(consumed);
        public override void AdvanceTo(SequencePosition consumed, SequencePosition examined) => inner.AdvanceTo(consumed, examined);
        public override void CancelPendingRead() => inner.CancelPendingRead();
        public override void Complete(Exception? exception = null) => inner.Complete(exception);
        public override ValueTask CompleteAsync(Exception? exception = null) => inner.CompleteAsync(exception);
    }

    /// <summary>Passes every write through, except Kestrel's own empty error answer, which it replaces whole.</summary>
    sealed class AnswerWriter(PipeWriter inner, EarlyRequest request, EarlyAnswers answers) : PipeWriter
    {
        Memory<byte> lent;

        public override Memory<byte> GetMemory(int sizeHint = 0) => lent = inner.GetMemory(sizeHint);
        public override Span<byte> GetSpan(int sizeHint = 0) => (lent = inner.GetMemory(sizeHint)).Span;

        public override void Advance(int bytes)
        {
            // Written but not yet advanced, the bytes can still be replaced: the replacement goes where they were.
            if (bytes <= EarlyAnswers.MaxBareAnswer && bytes <= lent.Length && answers.Replace(lent.Span[..bytes], request.Path) is { } replacement)
            {
                inner.Write(replacement);
                return;
            }
            inner.Advance(bytes);
        }

        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default) => inner.FlushAsync(cancellationToken);
        public override void CancelPendingFlush() => inner.CancelPendingFlush();
        public override void Complete(Exception? exception = null) => inner.Complete(exception);
        public override ValueTask CompleteAsync(Exception? exception = null) => inner.CompleteAsync(exception);
        public override bool CanGetUnflushedBytes => inner.CanGetUnflushedBytes;
        public override long UnflushedBytes => inner.UnflushedBytes;
    }

    /// <summary>The family-shaped answers, rendered once per family and status by the families' own writers.</summary>
    sealed class EarlyAnswers(IServiceProvider services)
    {
        public const int MaxBareAnswer = 256;
        static readonly int[] Statuses = [400, 408, 413, 414, 431, 505];
        static readonly byte[] BareAnswerEnd = "\r\nContent-Length: 0\r\nConnection: close\r\n"u8.ToArray();

        readonly ConcurrentDictionary<(ErrorFamily, int), (string Head, byte[] Body)> rendered = new();

        public byte[]? Replace(ReadOnlySpan<byte> written, string path)
        {
            // "HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Length: 0\r\nConnection: close\r\nDate: ...\r\n\r\n"
            if (!written.StartsWith("HTTP/1.1 "u8) || written.Length < 16 || !written.EndsWith("\r\n\r\n"u8))
            {
                return null;
            }
            var status = (written[9] - '0') * 100 + (written[10] - '0') * 10 + (written[11] - '0');
            var statusLineEnd = written.IndexOf("\r\n"u8);
            if (Array.IndexOf(Statuses, status) < 0 || !written[statusLineEnd..].StartsWith(BareAnswerEnd))
            {
                return null;
            }
            var rest = written[(statusLineEnd + BareAnswerEnd.Length)..^2]; // the Date line, as Kestrel wrote it
            var (head, body) = rendered.GetOrAdd((FamilyOf(path), status), key => Render(key.Item1, key.Item2));
            var answer = new byte[Encoding.ASCII.GetByteCount(head) + rest.Length + 2 + body.Length];
            var at = Encoding.ASCII.GetBytes(head, answer);
            rest.CopyTo(answer.AsSpan(at));
            at += rest.Length;
            "\r\n"u8.CopyTo(answer.AsSpan(at));
            body.CopyTo(answer.AsSpan(at + 2));
            return answer;
        }

        // No endpoint was matched (the request never reached routing), so the path's prefix is all there is to go by.
        static ErrorFamily FamilyOf(string path) =>
            path.StartsWith("/qrs", StringComparison.OrdinalIgnoreCase) ? ErrorFamilies.Qrs
            : path.StartsWith("/api/v1/dcaas", StringComparison.OrdinalIgnoreCase) ? ErrorFamilies.Dcaas
            : ErrorFamilies.Cloud;

        (string, byte[]) Render(ErrorFamily family, int status)
        {
            var kind = ErrorCatalog.ForStatus(status);
            var context = new DefaultHttpContext { RequestServices = services };
            using var body = new MemoryStream();
            context.Response.Body = body;
            // In memory: the families' writers complete synchronously here.
            family.WriteAsync(context, kind, Detail(status)).GetAwaiter().GetResult();
            var head = $"HTTP/1.1 {status} {Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status)}\r\n" +
                $"Content-Type: {context.Response.ContentType}\r\nContent-Length: {body.Length}\r\nConnection: close\r\nCache-Control: no-store\r\n";
            return (head, body.ToArray());
        }

        static string Detail(int status) => status switch
        {
            408 => $"The request headers did not arrive within {RequestLimits.RequestHeadersTimeout.TotalSeconds:0} seconds.",
            413 => $"The request body is over {RequestLimits.MaxRequestBodyBytes} bytes.",
            414 => $"The request line is over {RequestLimits.MaxRequestLineBytes} bytes.",
            431 => $"The request headers are over {RequestLimits.MaxRequestHeadersBytes} bytes or {RequestLimits.MaxRequestHeaderCount} fields.",
            505 => "Only HTTP/1.0, HTTP/1.1 and HTTP/2 are served.",
            _ => "The request could not be read as HTTP: a malformed request line or header, or a character a request may not carry (such as NUL or a control character).",
        };
    }
}
