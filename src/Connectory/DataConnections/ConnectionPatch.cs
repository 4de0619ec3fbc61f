using System.Text.Json;
using Connectory.Errors;

namespace Connectory.DataConnections;

/// <summary>Turns the spec's PatchRequest (add/replace/remove on documented paths) into one <see cref="ConnectionChange"/>.</summary>
internal static class ConnectionPatch
{
    public static readonly IReadOnlyList<string> Paths =
    [
        "/qName", "/qConnectStatement", "/qType", "/datasourceID", "/tags", "/qLogOn", "/qArchitecture",
        "/qUsername", "/qPassword", "/qConnectionSecret", "/qSeparateCredentials",
    ];

    public static ApiError? TryParse(IReadOnlyList<PatchOperation?>? operations, IReadOnlyList<string> currentTags, out ConnectionChange change)
    {
        change = new ConnectionChange();
        if (operations is null || operations.Count == 0)
        {
            return ApiError.BadRequest("The patch request must be a non-empty array of operations.");
        }
        var tags = currentTags.ToList();
        var tagsTouched = false;
        for (var i = 0; i < operations.Count; i++)
        {
            var operation = operations[i];
            if (PatchOperation.CheckShape(operation, i) is { } badShape)
            {
                return badShape;
            }
            var at = $"operation {i}";
            var remove = operation!.op == "remove";
            var value = operation.value ?? default;
            string? Text() => ConnectionFields.TextOf(value);
            ApiError WrongType(string expected) => ApiError.InvalidField(operation.path, $"takes {expected} ({at})");

            switch (operation.path)
            {
                case "/qName" when remove:
                case "/qConnectStatement" when remove:
                case "/qType" when remove:
                    return ApiError.InvalidField(operation.path, "is required and cannot be removed");
                case "/qName":
                    if (Text() is not { } name)
                    {
                        return WrongType("a string");
                    }
                    if (ConnectionFields.CheckName(name) is { } badName)
                    {
                        return badName;
                    }
                    change.Name = name;
                    break;
                case "/qConnectStatement":
                    if (Text() is not { } statement)
                    {
                        return WrongType("a string");
                    }
                    if (ConnectionFields.CheckStatement(statement) is { } badStatement)
                    {
                        return badStatement;
                    }
                    change.Statement = statement;
                    break;
                case "/qType":
                    if (Text() is not { Length: > 0 } type)
                    {
                        return WrongType("a non-empty string");
                    }
                    change.Type = type;
                    break;
                case "/datasourceID":
                    change.DatasourceId = remove ? "" : Text() ?? (string?)null;
                    if (change.DatasourceId is null)
                    {
                        return WrongType("a string");
                    }
                    break;
                case "/qLogOn":
                    if (ConnectionFields.ParseLogOn(remove ? null : value, out var logOn) is { } badLogOn)
                    {
                        return badLogOn;
                    }
                    change.LogOn = logOn;
                    break;
                case "/qArchitecture":
                    if (ConnectionFields.ParseArchitecture(remove ? null : value, out var architecture) is { } badArchitecture)
                    {
                        return badArchitecture;
                    }
                    change.Architecture = architecture;
                    break;
                case "/qSeparateCredentials":
                    if (!remove && value.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
                    {
                        return WrongType("a boolean");
                    }
                    change.SeparateCredentials = !remove && value.GetBoolean();
                    break;
                case "/qUsername":
                    change.Username = remove ? "" : Text() ?? (string?)null;
                    if (change.Username is null)
                    {
                        return WrongType("a string");
                    }
                    break;
                case "/qPassword":
                    if (!remove && Text() is null)
                    {
                        return WrongType("a string");
                    }
                    change.Password = remove ? null : Text();
                    change.PasswordGiven = true;
                    break;
                case "/qConnectionSecret":
                    if (!remove && Text() is null)
                    {
                        return WrongType("a string");
                    }
                    change.Secret = remove ? null : Text();
                    change.SecretGiven = true;
                    break;
                case "/tags":
                    tagsTouched = true;
                    if (remove)
                    {
                        tags.Clear();
                    }
                    else if (value.ValueKind == JsonValueKind.Array && value.EnumerateArray().All(t => ConnectionFields.TextOf(t) is not null))
                    {
                        tags = value.EnumerateArray().Select(t => ConnectionFields.TextOf(t)!).ToList();
                    }
                    else if (operation.op == "add" && Text() is { } single)
                    {
                        tags.Add(single);
                    }
                    else
                    {
                        return WrongType("an array of strings");
                    }
                    break;
                case "/tags/-" when operation.op == "add":
                    if (Text() is not { } appended)
                    {
                        return WrongType("a string");
                    }
                    tagsTouched = true;
                    tags.Add(appended);
                    break;
                default:
                    return ApiError.InvalidField("path", $"'{operation.path}' is not patchable (one of {string.Join(", ", Paths)})");
            }
        }
        if (ConnectionFields.CheckLimits(change.Type, change.DatasourceId, null, change.Username, change.Password, change.Secret) is { } tooLong)
        {
            return tooLong;
        }
        if (tagsTouched)
        {
            if (ConnectionFields.CheckTags(tags) is { } badTags)
            {
                return badTags;
            }
            change.Tags = tags;
        }
        return null;
    }
}
