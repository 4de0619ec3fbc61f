using System.Text;
using System.Text.Json;

namespace Connectory.Errors;

/// <summary>
/// PostgreSQL text cannot hold U+0000 and no field of any API means one, so a NUL in the query or anywhere in a JSON
/// body is a 400 before routing reaches a handler, the same on every database, instead of a database error.
/// </summary>
internal static class NulCharacters
{
    public static WebApplication UseNulCharacterCheck(this WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            var problem = QueryProblem(context.Request.Query) ?? await BodyProblemAsync(context.Request);
            if (problem is null)
            {
                await next(context);
            }
            else
            {
                await ErrorFamilies.Of(context).WriteAsync(context, problem.Value.Kind, problem.Value.Detail);
            }
        });
        return app;
    }

    static (ErrorKind Kind, string Detail)? QueryProblem(IQueryCollection query)
    {
        foreach (var (name, values) in query)
        {
            if (name.Contains('\0', StringComparison.Ordinal) || values.Any(v => v?.Contains('\0', StringComparison.Ordinal) == true))
            {
                return (ErrorCatalog.InvalidParameter, $"Query parameter '{name.Replace("\0", "", StringComparison.Ordinal)}' must not contain NUL characters");
            }
        }
        return null;
    }

    static async Task<(ErrorKind Kind, string Detail)?> BodyProblemAsync(HttpRequest request)
    {
        if (request.ContentLength is 0 || !(request.ContentType?.Contains("json", StringComparison.OrdinalIgnoreCase) ?? false))
        {
            return null;
        }
        // Read what the body limit allows, then rewind for the handler; a larger body is left to the 413 it gets.
        request.EnableBuffering();
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, request.HttpContext.RequestAborted);
        request.Body.Position = 0;
        return ContainsNul(buffer.GetBuffer().AsSpan(0, (int)buffer.Length))
            ? (ErrorCatalog.BadRequest, "Text in the request body must not contain NUL characters (\\u0000).")
            : null;
    }

    /// <summary>Whether any JSON string (value or property name) holds U+0000 once unescaped; malformed JSON is the binder's to report.</summary>
    static bool ContainsNul(ReadOnlySpan<byte> json)
    {
        if (json.IndexOf((byte)0) >= 0)
        {
            return true;
        }
        if (json.IndexOf("\\u0000"u8) < 0)
        {
            return false;
        }
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType is JsonTokenType.String or JsonTokenType.PropertyName && reader.ValueIsEscaped
                    && Unescaped(ref reader).Contains('\0', StringComparison.Ordinal))
                {
                    return true;
                }
            }
        }
        catch (JsonException)
        {
            return false;
        }
        return false;
    }

    static string Unescaped(ref Utf8JsonReader reader)
    {
        try
        {
            return reader.GetString() ?? "";
        }
        catch (InvalidOperationException)
        {
            // A lone surrogate escape cannot be unescaped (the handler reports it): look for a NUL escape in the raw text.
            return Encoding.UTF8.GetString(reader.ValueSpan).Contains("\\u0000", StringComparison.Ordinal) ? "\0" : "";
        }
    }
}
