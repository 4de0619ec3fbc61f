using System.Text.Json;
using System.Text.Json.Serialization;
using Connectory.Errors;
using Connectory.Platform.Paging;

namespace Connectory.DataConnections;

/// <summary>
/// The body of GET /data-connections, written row by row as the rows come and flushed as it goes, so an unpaged
/// listing's memory stays flat however many rows match.
/// </summary>
/// <param name="rows">Hands every row's view, in order, to the callback it is given.</param>
internal sealed class ConnectionsBody(string dataName, int count, PageLinks links, Func<Func<ConnectionGet, Task>, CancellationToken, Task> rows) : IResult
{
    const int FlushEvery = 200;

    static readonly JsonWriterOptions WriterOptions = new() { Encoder = ErrorJson.Options.Encoder };

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json; charset=utf-8";
        var ct = httpContext.RequestAborted;
        await using var writer = new Utf8JsonWriter(response.BodyWriter, WriterOptions);
        writer.WriteStartObject();
        writer.WritePropertyName(dataName);
        writer.WriteStartArray();
        var written = 0;
        await rows(async view =>
        {
            JsonSerializer.Serialize(writer, view, ConnectionJson.Default.ConnectionGet);
            if (++written % FlushEvery == 0)
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
}

/// <summary>Serialization code generated at build time for the shapes every listed row goes through.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(ConnectionGet))]
[JsonSerializable(typeof(PageLinks))]
[JsonSerializable(typeof(List<string>))]
internal sealed partial class ConnectionJson : JsonSerializerContext;
