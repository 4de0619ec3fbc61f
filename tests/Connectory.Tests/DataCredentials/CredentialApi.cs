using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Connectory.Tests.Support;

namespace Connectory.Tests.DataCredentials;

/// <summary>Calls the data-credentials and data-connections APIs the way a client would.</summary>
static class CredentialApi
{
    public static Task<HttpResponseMessage> PutCredentialAsync(this HttpClient client, string id, object body, bool byName = false) =>
        client.PutAsJsonAsync($"/api/v1/data-credentials/{Uri.EscapeDataString(id)}{(byName ? "?byCredentialName=true" : "")}", body);

    /// <summary>Creates a credential for the caller and returns its id.</summary>
    public static async Task<string> NewCredentialAsync(this HttpClient client, string name, string password = "pw", string type = "QvOdbcConnectorPackage.exe", string? connectionId = null, string? datasourceID = null)
    {
        var id = Guid.NewGuid().ToString();
        var response = await client.PutCredentialAsync(id, new { qName = name, qType = type, qUsername = "user", qPassword = password, connectionId, datasourceID });
        await ApiAssert.OkAsync(response, HttpStatusCode.NoContent);
        return id;
    }

    public static Task<HttpResponseMessage> PatchCredentialAsync(this HttpClient client, string id, object operations) =>
        client.PatchAsJsonAsync($"/api/v1/data-credentials/{id}", operations);

    /// <summary>Creates a data connection and returns the create response.</summary>
    public static Task<JsonElement> NewConnectionAsync(this HttpClient client, object body) =>
        client.PostAsJsonAsync("/api/v1/data-connections", body).JsonAsync(HttpStatusCode.Created);

    public static object Connection(string? space = null, bool separate = false, string? username = null, string? password = null, string? credentialId = null, string? secret = null) => new
    {
        qName = "conn-" + Guid.NewGuid().ToString("N")[..8],
        qConnectStatement = "CUSTOM CONNECT TO \"provider=QvOdbcConnectorPackage.exe;host=db.example.test;\"",
        qType = "QvOdbcConnectorPackage.exe",
        datasourceID = "postgres",
        space,
        qSeparateCredentials = separate,
        qUsername = username,
        qPassword = password,
        qCredentialsID = credentialId,
        qConnectionSecret = secret,
    };

    public static Task<JsonElement> OrphansAsync(this HttpClient client, object filter) =>
        client.PostAsJsonAsync("/api/v1/data-credentials/actions/filter-orphan", filter).JsonAsync();

    public static IReadOnlyList<string> Ids(this JsonElement orphans) =>
        orphans.GetProperty("data").EnumerateArray().Select(o => o.GetProperty("qID").GetString()!).ToList();
}
