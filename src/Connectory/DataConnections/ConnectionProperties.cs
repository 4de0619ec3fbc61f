using System.Text.Json.Nodes;

namespace Connectory.DataConnections;

/// <summary>The <c>connectionProperties</c> view of a connect statement (GET ?parseConnection=true). Secrets are left out.</summary>
internal static class ConnectionProperties
{
    static readonly HashSet<string> SecretKeys = new(StringComparer.OrdinalIgnoreCase)
        { "password", "pwd", "secret", "token", "apikey", "api_key", "clientsecret", "client_secret", "xpassword", "accesskey", "secretkey", "refreshtoken", "accesstoken", "authcode" };

    public static bool IsSecret(string key) => SecretKeys.Contains(key) || key.EndsWith("password", StringComparison.OrdinalIgnoreCase);

    public static JsonObject From(ConnectStatement statement)
    {
        var result = new JsonObject();
        switch (statement.Kind)
        {
            case ConnectKind.Folder:
                result["path"] = statement.Location;
                return result;
            case ConnectKind.Url:
                result["url"] = statement.Location;
                return result;
            case ConnectKind.Odbc or ConnectKind.Oledb:
                result["connectorType"] = statement.Kind == ConnectKind.Odbc ? "ODBC" : "OLEDB";
                if (statement.Bitness.Length > 0)
                {
                    result["bitness"] = statement.Bitness;
                }
                break;
            case ConnectKind.Custom:
                break;
        }
        foreach (var (key, value) in statement.Properties.Concat(statement.Options ?? []))
        {
            if (IsSecret(key) || result.ContainsKey(key))
            {
                continue;
            }
            result[key] = ConnectStatement.ListKeys.Contains(key)
                ? new JsonArray(ConnectStatement.DecodeList(value).Select(i => (JsonNode)new JsonObject { ["name"] = i.Key, ["value"] = i.Value }).ToArray())
                : value;
        }
        return result;
    }
}
