using System.Text.Json;
using System.Text.Json.Serialization;
using Connectory.Errors;
using Connectory.Platform.Namespaces;
using Connectory.Platform.Paging;
using System.Text.Json.Serialization.Metadata;

namespace Connectory.DataConnections;

/// <summary>
/// The body of GET /data-connections, written row by row as the rows come and flushed as it goes, so an unpaged
/// listing's memory stays flat however many rows match.
/// </summary>
/// <param name="buffered">Written whole with its length (a page), or streamed as it is read (an unpaged listing).</param>
/// <param name="rows">Hands every row's view, in order, to the callback it is given.</param>
internal sealed class ConnectionsBody(
    string dataName, int count, PageLinks links, bool buffered, Func<Func<ConnectionGet, Task>, CancellationToken, Task> rows) : IResult
{
    const int FlushEvery = 200;

    static readonly JsonWriterOptions WriterOptions = new() { Encoder = ErrorJson.Options.Encoder };

    /// <summary>The rows' serialization in the connectivity namespace: the build-time code with that namespace's names.</summary>
    static readonly JsonTypeInfo<ConnectionGet> ConnectivityRow = (JsonTypeInfo<ConnectionGet>)new JsonSerializerOptions(ConnectionJson.Default.Options)
    {
        TypeInfoResolver = ConnectionJson.Default.WithAddedModifier(ApiNamespace.Connectivity.Modifier!),
    }.GetTypeInfo(typeof(ConnectionGet));

    JsonTypeInfo<ConnectionGet> row = ConnectionJson.Default.ConnectionGet;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json; charset=utf-8";
        var ct = httpContext.RequestAborted;
        if (ApiNamespace.Of(httpContext.Request) == ApiNamespace.Connectivity)
        {
            row = ConnectivityRow;
        }
        if (!buffered)
        {
            await using var streamed = new Utf8JsonWriter(response.BodyWriter, WriterOptions);
            await WriteAsync(streamed, flush: true, ct);
            return;
        }
        // A page (at most 100 rows) is written whole, with its length: one write to the socket instead of chunks.
        var buffer = new PooledBuffer();
        try
        {
            await using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
            {
                await WriteAsync(writer, flush: false, ct);
            }
            response.ContentLength = buffer.Written.Length;
            await response.Body.WriteAsync(buffer.Written, ct);
        }
        finally
        {
            buffer.Dispose();
        }
    }

    async Task WriteAsync(Utf8JsonWriter writer, bool flush, CancellationToken ct)
    {
        writer.WriteStartObject();
        writer.WritePropertyName(dataName);
        writer.WriteStartArray();
        var written = 0;
        await rows(async view =>
        {
            JsonSerializer.Serialize(writer, view, row);
            if (flush && ++written % FlushEvery == 0)
            {
                await writer.FlushAsync(ct);
            }
        }, ct);
        writer.WriteEndArray();
        writer.WriteStartObject("meta");
        writer.WriteNumber("count", count);
        writer.WriteEndObject();
        writer.WritePropertyName("links");
        JsonSerializer.Serialize(writer, links, ConnectionJson.Default.PageLinks);
        writer.WriteEndObject();
        await writer.FlushAsync(ct);
    }

    /// <summary>A growing buffer on pooled arrays: a page's body without a large allocation per request.</summary>
    sealed class PooledBuffer : System.Buffers.IBufferWriter<byte>, IDisposable
    {
        byte[] array = System.Buffers.ArrayPool<byte>.Shared.Rent(64 * 1024);
        int length;

        public ReadOnlyMemory<byte> Written => array.AsMemory(0, length);

        public void Advance(int count) => length += count;

        public Memory<byte> GetMemory(int sizeHint = 0)
        {
            Reserve(sizeHint);
            return array.AsMemory(length);
        }

        public Span<byte> GetSpan(int sizeHint = 0)
        {
            Reserve(sizeHint);
            return array.AsSpan(length);
        }

        void Reserve(int sizeHint)
        {
            if (array.Length - length < Math.Max(sizeHint, 1))
            {
                var bigger = System.Buffers.ArrayPool<byte>.Shared.Rent(Math.Max(array.Length * 2, length + sizeHint));
                array.AsSpan(0, length).CopyTo(bigger);
                System.Buffers.ArrayPool<byte>.Shared.Return(array);
                array = bigger;
            }
        }

        public void Dispose() => System.Buffers.ArrayPool<byte>.Shared.Return(array);
    }
}

/// <summary>Serialization code generated at build time for the shapes every listed row goes through.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(ConnectionGet))]
[JsonSerializable(typeof(PageLinks))]
[JsonSerializable(typeof(List<string>))]
internal sealed partial class ConnectionJson : JsonSerializerContext;
