using System.Text.Json;
using Connectory.Errors;
using Connectory.Platform.Paging;

namespace Connectory.DataConnections;

/// <summary>Writes an unpaged listing row by row, flushing as it goes, so memory stays flat however many rows match.</summary>
internal sealed class StreamedConnections(
    ListPlan plan, IReadOnlyDictionary<string, string> separated, HttpRequest request, int count, IAsyncEnumerable<DataConnection> rows) : IResult
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json; charset=utf-8";
        var ct = httpContext.RequestAborted;
        await using var writer = new Utf8JsonWriter(response.BodyWriter);
        writer.WriteStartObject();
        writer.WritePropertyName(plan.DataName);
        writer.WriteStartArray();
        var written = 0;
        await foreach (var row in rows.WithCancellation(ct))
        {
            JsonSerializer.Serialize(writer, plan.View(row, separated, request), ErrorJson.Options);
            if (++written % 200 == 0)
            {
                await writer.FlushAsync(ct);
            }
        }
        foreach (var files in plan.DataFiles)
        {
            JsonSerializer.Serialize(writer, files.View(request), ErrorJson.Options);
        }
        writer.WriteEndArray();
        writer.WritePropertyName("meta");
        JsonSerializer.Serialize(writer, new { count }, ErrorJson.Options);
        writer.WritePropertyName("links");
        JsonSerializer.Serialize(writer, new PageLinks(Urls.Self(request), null, null), ErrorJson.Options);
        writer.WriteEndObject();
        await writer.FlushAsync(ct);
    }
}
