using System.Globalization;
using System.Text;
using System.Text.Json;
using Connectory.Errors;

namespace Connectory.DataConnections;

/// <summary>Checks and normalises the fields every write path shares (create, PUT, PATCH, duplicate).</summary>
internal static class ConnectionFields
{
    public const int MaxNameLength = 256;
    public const int MaxTags = 32;
    public const int MaxTagBytes = 256;
    public const int MaxStatementLength = 65536;
    /// <summary>qType, datasourceID and owner (the stored columns hold 256 characters).</summary>
    public const int MaxTypeLength = 256;
    public const int MaxUsernameLength = 1024;
    /// <summary>Plaintext limits that keep the encrypted forms (base64 with a version prefix) inside their columns.</summary>
    public const int MaxPasswordBytes = 4096;
    public const int MaxSecretBytes = 32768;
    /// <summary>The stored JSON array of tags.</summary>
    const int MaxTagsJsonLength = 16384;

    /// <summary>Lengths the store cannot hold are a 400 on every database (SQLite would keep them, PostgreSQL would fail).</summary>
    public static ApiError? CheckLimits(
        string? qType = null, string? datasourceID = null, string? owner = null, string? username = null,
        string? password = null, string? secret = null, string? credentialsName = null)
    {
        foreach (var (field, value) in new[] { ("qType", qType), ("datasourceID", datasourceID), ("owner", owner) })
        {
            if (value?.Trim().Length > MaxTypeLength)
            {
                return ApiError.InvalidField(field, $"must be at most {MaxTypeLength} characters");
            }
        }
        if (username?.Length > MaxUsernameLength)
        {
            return ApiError.InvalidField("qUsername", $"must be at most {MaxUsernameLength} characters");
        }
        if (credentialsName?.Trim().Length > MaxNameLength)
        {
            return ApiError.InvalidField("qCredentialsName", $"must be at most {MaxNameLength} characters");
        }
        if (NameCharacters.Check(credentialsName, "qCredentialsName") is { } badCharacter)
        {
            return badCharacter;
        }
        if (password is not null && Encoding.UTF8.GetByteCount(password) > MaxPasswordBytes)
        {
            return ApiError.InvalidField("qPassword", $"must be at most {MaxPasswordBytes} bytes");
        }
        return secret is not null && Encoding.UTF8.GetByteCount(secret) > MaxSecretBytes
            ? ApiError.InvalidField("qConnectionSecret", $"must be at most {MaxSecretBytes} bytes")
            : null;
    }
    static readonly CompareInfo SortCollation = CultureInfo.GetCultureInfo("en").CompareInfo;

    public static ApiError? CheckName(string? name, string field = "qName")
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return ApiError.MissingField(field);
        }
        if (name.Trim().Length > MaxNameLength)
        {
            return ApiError.InvalidField(field, $"must be at most {MaxNameLength} characters");
        }
        if (NameCharacters.Check(name, field) is { } badCharacter)
        {
            return badCharacter;
        }
        return DataFiles.IsReservedName(name) ? ApiError.InvalidField(field, $"'{DataFiles.Name}' is reserved for the space's data files connection") : null;
    }

    public static string Fold(string name) => name.Trim().ToLowerInvariant();

    /// <summary>A case-insensitive ICU sort key as hex, so the database's ordinal order is the collation's order.</summary>
    public static string SortKey(string name)
    {
        var key = SortCollation.GetSortKey(name.Trim(), CompareOptions.IgnoreCase).KeyData;
        var hex = Convert.ToHexStringLower(key);
        return hex.Length > 512 ? hex[..512] : hex;
    }

    public static ApiError? CheckStatement(string? statement)
    {
        if (string.IsNullOrWhiteSpace(statement))
        {
            return ApiError.MissingField("qConnectStatement");
        }
        return statement.Length > MaxStatementLength ? ApiError.InvalidField("qConnectStatement", $"must be at most {MaxStatementLength} characters") : null;
    }

    /// <summary>qLogOn: "0", "1", LOG_ON_SERVICE_USER (0), LOG_ON_CURRENT_USER (1), or the numbers 0 and 1.</summary>
    public static ApiError? ParseLogOn(JsonElement? value, out int logOn)
    {
        logOn = 0;
        if (value is not { } v || v.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        int? parsed = v.ValueKind switch
        {
            JsonValueKind.String => TextOf(v) switch
            {
                "0" or "LOG_ON_SERVICE_USER" => 0,
                "1" or "LOG_ON_CURRENT_USER" => 1,
                _ => null,
            },
            JsonValueKind.Number when v.TryGetInt32(out var n) && n is 0 or 1 => n,
            _ => null,
        };
        if (parsed is null)
        {
            return ApiError.InvalidField("qLogOn", "must be \"0\", \"1\", \"LOG_ON_SERVICE_USER\" or \"LOG_ON_CURRENT_USER\"");
        }
        logOn = parsed.Value;
        return null;
    }

    /// <summary>qArchitecture: 0 (64-bit) or 1 (32-bit).</summary>
    public static ApiError? ParseArchitecture(JsonElement? value, out int architecture)
    {
        architecture = 0;
        if (value is not { } v || v.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        if ((v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var n) && n is 0 or 1)
            || (v.ValueKind == JsonValueKind.String && int.TryParse(TextOf(v), NumberStyles.None, CultureInfo.InvariantCulture, out n) && n is 0 or 1))
        {
            architecture = n;
            return null;
        }
        return ApiError.InvalidField("qArchitecture", "must be 0 (64-bit) or 1 (32-bit)");
    }

    /// <summary>A JSON string's text; null when the value is not a string or escapes a lone surrogate (not valid UTF-16).</summary>
    public static string? TextOf(JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.String)
        {
            return null;
        }
        try
        {
            return value.GetString();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    public static ApiError? CheckTags(IReadOnlyList<string?>? tags)
    {
        if (tags is null)
        {
            return null;
        }
        if (tags.Count > MaxTags)
        {
            return ApiError.InvalidField("tags", $"may hold at most {MaxTags} tags, not {tags.Count}");
        }
        if (tags.Any(t => t is null))
        {
            return ApiError.InvalidField("tags", "must be strings");
        }
        var tooLong = tags.FirstOrDefault(t => Encoding.UTF8.GetByteCount(t!) > MaxTagBytes);
        if (tooLong is not null)
        {
            return ApiError.InvalidField("tags", $"each tag must be at most {MaxTagBytes} bytes; one is {Encoding.UTF8.GetByteCount(tooLong)}");
        }
        if (tags.Select(t => NameCharacters.Describe(t)).FirstOrDefault(p => p is not null) is { } badCharacter)
        {
            return ApiError.InvalidField("tags", $"must not contain {badCharacter}");
        }
        // Escapes (quotes, backslashes, non-ASCII under some encoders) can make the stored array longer than the tags themselves.
        return ConnectionViews.ToTags(tags!).Length > MaxTagsJsonLength
            ? ApiError.InvalidField("tags", $"are too long together once stored ({MaxTagsJsonLength} characters of JSON at most)")
            : null;
    }

    public static ApiError? CheckUuid(string? value, string field, out string? normalized)
    {
        normalized = null;
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }
        if (!Guid.TryParseExact(value, "D", out var guid))
        {
            return ApiError.InvalidField(field, "must be a UUID such as 3fa85f64-5717-4562-b3fc-2c963f66afa6");
        }
        normalized = guid.ToString();
        return null;
    }
}
