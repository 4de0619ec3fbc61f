using System.Text;
using Connectory.Data;
using Connectory.DataConnections;
using Connectory.DataSources;
using Connectory.Errors;
using Connectory.Platform.Auth;

namespace Connectory.Resolving;

/// <summary>One value for a template placeholder: by name, or by position when the name is left out.</summary>
internal sealed record QriValue(string? Name, string? Value);

/// <summary>A QRI to make: the connection (by id, name or connect statement) and the values of its path and item parts.</summary>
internal sealed record QriOrder(
    string? ConnectionType, string? Connection, string? SpaceId, string? DataSourceId,
    IReadOnlyList<QriValue?> PathValues, IReadOnlyList<QriValue?> ItemValues, bool RawValues);

/// <summary>A made QRI, and whether every placeholder it needed was filled.</summary>
internal sealed record MadeQri(string Qri, string DataSourceId, bool IsFullyQualified);

/// <summary>
/// QRIs below a connection: the connection's own QRI (its base QRI, <see cref="Qri"/>, which names the target without
/// revealing it), then the data source's path part and item part filled from the caller's values.
/// Values are percent-encoded (RFC 3986: every byte but letters, digits, <c>-</c>, <c>_</c> and <c>~</c>, so also the
/// <c>.</c>, <c>/</c> and <c>#</c> that templates use as separators) unless raw values are asked for. A part is
/// written up to its first empty placeholder; the item part only below a complete path part.
/// </summary>
internal sealed class QriGenerator(ConnectoryDb db, DataSourceCatalog catalog, DataSourceSettings settings, TenantKeys tenantKeys)
{
    /// <summary>Items one request may carry.</summary>
    public const int MaxItems = 100;

    public async Task<(MadeQri? Made, ApiError? Error)> MakeAsync(Caller caller, QriOrder order, CancellationToken ct)
    {
        var (baseQri, dataSourceId, error) = await BaseAsync(caller, order, ct);
        if (error is not null)
        {
            return (null, error);
        }
        if (dataSourceId.Length > 0 && await settings.IsDisabledAsync(dataSourceId, ct))
        {
            return (null, ApiError.Forbidden($"Data source '{dataSourceId}' is disabled in this tenant."));
        }
        var definition = catalog.Find(dataSourceId)?.QriDefinition ?? Fallback(baseQri);
        var (path, pathComplete, pathError) = Render("pathProperties", definition.PathPart, order.PathValues, order.RawValues);
        if (pathError is not null)
        {
            return (null, pathError);
        }
        var qri = new StringBuilder(baseQri);
        if (path.Length > 0)
        {
            qri.Append(definition.PathPart.Prefix).Append(path);
        }
        var complete = pathComplete;
        if (order.ItemValues.Count > 0)
        {
            if (definition.ItemPart is not { } itemPart)
            {
                return (null, ApiError.InvalidField("itemProperties", $"are not taken: the QRIs of data source '{dataSourceId}' have no item part"));
            }
            if (!pathComplete)
            {
                return (null, ApiError.InvalidField("itemProperties", $"need a complete path first: give every path property ({string.Join(", ", definition.PathPart.Properties)})"));
            }
            var (item, itemComplete, itemError) = Render("itemProperties", itemPart, order.ItemValues, order.RawValues);
            if (itemError is not null)
            {
                return (null, itemError);
            }
            if (item.Length > 0)
            {
                qri.Append(itemPart.Prefix).Append(item);
            }
            complete = itemComplete;
        }
        return (new MadeQri(qri.ToString(), dataSourceId, complete), null);
    }

    async Task<(string BaseQri, string DataSourceId, ApiError? Error)> BaseAsync(Caller caller, QriOrder order, CancellationToken ct)
    {
        if (order.ConnectionType is "id" or "name")
        {
            var (found, error) = order.ConnectionType == "id"
                ? await ConnectionReference.ByIdAsync(db, caller, order.Connection, "connection", ct)
                : await ConnectionReference.ByNameAsync(db, caller, order.Connection, order.SpaceId, "connection", ct);
            return found is { Stored: { } connection }
                ? (connection.Qri, connection.DatasourceId, null)
                : ("", "", error ?? ApiError.NotFound("Data connection"));
        }
        if (order.ConnectionType != "properties")
        {
            return ("", "", order.ConnectionType is null ? ApiError.MissingField("connectionType") : ApiError.InvalidField("connectionType", "must be id, name or properties"));
        }
        if (string.IsNullOrWhiteSpace(order.Connection))
        {
            return ("", "", ApiError.MissingField("connection"));
        }
        if (string.IsNullOrWhiteSpace(order.DataSourceId))
        {
            return ("", "", ApiError.MissingField("dataSourceId"));
        }
        var statement = ConnectStatement.Parse(order.Connection);
        var definition = catalog.Find(order.DataSourceId.Trim());
        // A CUSTOM statement names its connector: it must be the data source's.
        if (definition is not null && statement.Kind == ConnectKind.Custom
            && !string.Equals(statement.Provider, definition.Provider, StringComparison.OrdinalIgnoreCase))
        {
            return ("", "", ApiError.InvalidField("dataSourceId",
                $"is '{definition.DataSourceId}', whose connector is {definition.Provider}, but the connection string names provider '{statement.Provider}'"));
        }
        var dataSourceId = definition?.DataSourceId ?? order.DataSourceId.Trim();
        var qri = Qri.For(await tenantKeys.QriKeyAsync(caller.TenantId, ct), dataSourceId, definition?.ConnectionType ?? "", statement);
        return (qri, dataSourceId, null);
    }

    /// <summary>For a data source without a definition here: the parts its kind of source usually has.</summary>
    static QriDefinition Fallback(string baseQri)
    {
        // Only the path and item parts are read: the connection part is the connection's own QRI.
        var connection = new QriPart("", []);
        return ConnectionResolver.DataInterfaceType(baseQri) switch
        {
            "file" => new("", connection, new QriPart("{path}", ["path"], "#"), null),
            "api" => new("", connection, new QriPart("{table}", ["table"], "#"), null),
            _ => new("", connection, new QriPart("{schema}.{table}", ["schema", "table"], "#"), new QriPart("{column}", ["column"], "#")),
        };
    }

    /// <summary>The part's template with the values put in, up to the first placeholder without one.</summary>
    static (string Text, bool Complete, ApiError? Error) Render(string field, QriPart part, IReadOnlyList<QriValue?> values, bool raw)
    {
        var known = part.Properties;
        var filled = new string?[known.Count];
        var named = new bool[known.Count];
        for (var i = 0; i < values.Count; i++)
        {
            if (values[i] is not { } value)
            {
                return ("", false, ApiError.InvalidField($"{field}[{i}]", "must be an object with a value"));
            }
            var at = string.IsNullOrEmpty(value.Name) ? i : IndexOf(known, value.Name);
            if (at < 0 || at >= known.Count)
            {
                return ("", false, ApiError.InvalidField($"{field}[{i}]", value.Name is { Length: > 0 }
                    ? $"names '{value.Name}', which is not one of this part's properties ({string.Join(", ", known)})"
                    : $"is beyond this part's {known.Count} properties ({string.Join(", ", known)})"));
            }
            if (named[at])
            {
                return ("", false, ApiError.InvalidField($"{field}[{i}]", $"gives '{known[at]}' a second time"));
            }
            named[at] = true;
            filled[at] = string.IsNullOrEmpty(value.Value) ? null : raw ? value.Value : Encode(value.Value);
        }

        var text = new StringBuilder();
        var pending = new StringBuilder();
        var template = part.Template;
        for (var i = 0; i < template.Length; i++)
        {
            var close = template[i] == '{' ? template.IndexOf('}', i + 1) : -1;
            if (close < 0)
            {
                pending.Append(template[i]);
                continue;
            }
            var index = IndexOf(known, template[(i + 1)..close]);
            if (index < 0 || filled[index] is not { } value)
            {
                return (text.ToString(), false, null);
            }
            // Literal text between placeholders is written only when a filled placeholder follows it.
            text.Append(pending).Append(value);
            pending.Clear();
            i = close;
        }
        return (text.Append(pending).ToString(), true, null);
    }

    static int IndexOf(IReadOnlyList<string> names, string name)
    {
        for (var i = 0; i < names.Count; i++)
        {
            if (string.Equals(names[i], name, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }
        return -1;
    }

    /// <summary>RFC 3986 percent-encoding of everything but the unreserved characters, <c>.</c> included (a separator in templates).</summary>
    public static string Encode(string value)
    {
        var text = new StringBuilder(value.Length);
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            if (b is (>= (byte)'a' and <= (byte)'z') or (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'0' and <= (byte)'9') or (byte)'-' or (byte)'_' or (byte)'~')
            {
                text.Append((char)b);
            }
            else
            {
                text.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }
        return text.ToString();
    }
}
