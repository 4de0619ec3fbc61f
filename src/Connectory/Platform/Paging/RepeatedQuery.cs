using Microsoft.Extensions.Primitives;

namespace Connectory.Platform.Paging;

internal static class RepeatedQuery
{
    /// <summary>
    /// Lets a list endpoint take a repeated query parameter (<c>?limit=10&amp;next=...&amp;limit=10</c>, as Qlik's
    /// <c>@qlik/sdk</c> appends <c>limit</c> to the <c>next</c> link it follows): the first value counts. Parameter
    /// binding would read the repeats as one comma-joined value and refuse it, so they are collapsed before it runs,
    /// and the links the list returns carry the collapsed query.
    /// </summary>
    public static TBuilder FirstOfRepeatedQuery<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder
    {
        builder.Add(endpoint =>
        {
            var inner = endpoint.RequestDelegate ?? throw new InvalidOperationException("The endpoint has no request delegate yet.");
            endpoint.RequestDelegate = context =>
            {
                Collapse(context.Request);
                return inner(context);
            };
        });
        return builder;
    }

    static void Collapse(HttpRequest request)
    {
        var query = request.Query;
        if (!query.Any(q => q.Value.Count > 1))
        {
            return;
        }
        request.Query = new QueryCollection(query.ToDictionary(
            q => q.Key,
            q => q.Value.Count > 1 ? new StringValues(q.Value[0]) : q.Value,
            StringComparer.OrdinalIgnoreCase));
    }
}
