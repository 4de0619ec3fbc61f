using System.Security.Cryptography;
using System.Text;

namespace Connectory.DataConnections;

/// <summary>
/// Base QRIs: <c>qri:&lt;kind&gt;:&lt;datasource&gt;://</c> + unpadded base64url of HMAC-SHA256(tenant key, target).
/// The same target gives the same QRI within a tenant, never across tenants, and reveals nothing of the target.
/// </summary>
internal static class Qri
{
    public static string For(string tenantQriKey, string datasourceId, string qType, ConnectStatement statement)
    {
        var source = DataSourceName(datasourceId, qType, statement);
        var kind = source switch
        {
            "rest" or "qvrestconnector" => "api",
            "folder" or "internet" or "qix-datafiles" or "file_amazons3connectorv2" => "file",
            _ when statement.Kind is ConnectKind.Folder or ConnectKind.Url => "file",
            _ => "db",
        };
        var key = Encoding.UTF8.GetBytes(tenantQriKey.Length > 0 ? tenantQriKey : "connectory");
        var mac = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(statement.Target));
        return $"qri:{kind}:{source}://{Convert.ToBase64String(mac).TrimEnd('=').Replace('+', '-').Replace('/', '_')}";
    }

    static string DataSourceName(string datasourceId, string qType, ConnectStatement statement)
    {
        var name = datasourceId.Length > 0 ? datasourceId : qType.Length > 0 ? qType : statement.Provider;
        name = name.ToLowerInvariant();
        return name.EndsWith(".exe", StringComparison.Ordinal) ? name[..^4] : name;
    }
}
