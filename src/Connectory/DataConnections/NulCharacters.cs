using System.Text.Json;
using Connectory.Errors;

namespace Connectory.DataConnections;

/// <summary>
/// PostgreSQL text cannot hold U+0000, and no field of this API means one, so a NUL in the query or the body is a
/// 400 before any handler runs, the same on every database, instead of a database error.
/// </summary>
internal static class NulCharacters
{
    static readonly HashSet<Type> Bodies =
    [
        typeof(ConnectionCreate), typeof(ConnectionUpdate), typeof(List<PatchOperation?>),
        typeof(ActionDeleteRequest), typeof(ActionUpdateRequest), typeof(ActionDuplicateRequest),
    ];

    public static RouteGroupBuilder RejectNulCharacters(this RouteGroupBuilder group)
    {
        group.AddEndpointFilter(async (context, next) =>
        {
            foreach (var (name, values) in context.HttpContext.Request.Query)
            {
                if (values.Any(v => v?.Contains('\0', StringComparison.Ordinal) == true))
                {
                    return ApiError.InvalidParameter(name, "must not contain NUL characters");
                }
            }
            if (context.Arguments.Any(a => a is not null && Bodies.Contains(a.GetType()) && HasNul(a)))
            {
                return ApiError.BadRequest("Text in the request body must not contain NUL characters (\\u0000).");
            }
            return await next(context);
        });
        return group;
    }

    static bool HasNul(object? value) => value switch
    {
        null => false,
        string text => text.Contains('\0', StringComparison.Ordinal),
        JsonElement element => HasNul(element),
        System.Collections.IEnumerable items => items.Cast<object?>().Any(HasNul),
        PatchOperation or BulkItem => value.GetType().GetProperties().Any(p => HasNul(p.GetValue(value))),
        _ when Bodies.Contains(value.GetType()) => value.GetType().GetProperties().Any(p => HasNul(p.GetValue(value))),
        _ => false,
    };

    static bool HasNul(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => ConnectionFields.TextOf(element)?.Contains('\0', StringComparison.Ordinal) == true,
        JsonValueKind.Array => element.EnumerateArray().Any(HasNul),
        JsonValueKind.Object => element.EnumerateObject().Any(p => p.Name.Contains('\0', StringComparison.Ordinal) || HasNul(p.Value)),
        _ => false,
    };
}
