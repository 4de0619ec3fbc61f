using System.Net;
using System.Net.Http.Json;
using Connectory.Tests.Support;
using Microsoft.Data.Sqlite;

namespace Connectory.Tests.ConnectionTesting;

/// <summary>Folder connections and SQLite files, on the service's own file system, and the paths a test may not look at.</summary>
public sealed class FileConnectionTests(ConnectoryFactory factory) : IClassFixture<ConnectoryFactory>, IDisposable
{
    readonly string folder = Directory.CreateTempSubdirectory("connectory-conntest-").FullName;

    static object Folder(string path) => new { qName = "files", datasourceID = "folder", qConnectStatement = path };

    static object Sqlite(string path) => new
    {
        qName = "lite",
        datasourceID = "sqlite",
        qConnectStatement = $"CUSTOM CONNECT TO \"provider=QvOdbcConnectorPackage.exe;driver=sqlite;database={path};\"",
    };

    [StoreIndependentFact]
    public async Task AFolderThatExistsAndListsPasses()
    {
        var tenant = await factory.NewTenantAsync();
        File.WriteAllText(Path.Combine(folder, "a.csv"), "x\n1\n");
        var (result, _) = await tenant.Admin.TestAsync(Folder(folder));
        ConnectionTestKit.AssertPassed(result, "policy", "path", "read");
        Assert.Equal("folder", result.GetProperty("kind").GetString());
    }

    [StoreIndependentFact]
    public async Task AMissingFolderFailsThePathStep()
    {
        var tenant = await factory.NewTenantAsync();
        var (result, _) = await tenant.Admin.TestAsync(Folder(Path.Combine(folder, "not-there")));
        Assert.Contains("does not exist", ConnectionTestKit.AssertFailedAt(result, "path"), StringComparison.Ordinal);
        var file = Path.Combine(folder, "plain.txt");
        File.WriteAllText(file, "x");
        var (notFolder, _) = await tenant.Admin.TestAsync(Folder(file));
        Assert.Contains("not a folder", ConnectionTestKit.AssertFailedAt(notFolder, "path"), StringComparison.Ordinal);
    }

    [StoreIndependentFact]
    public async Task AnSqliteFileOpensReadOnly()
    {
        var tenant = await factory.NewTenantAsync();
        var database = Path.Combine(folder, "shop.db");
        using (var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = database, Pooling = false }.ToString()))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "CREATE TABLE orders (id INTEGER PRIMARY KEY); CREATE VIEW recent AS SELECT * FROM orders;";
            command.ExecuteNonQuery();
        }
        var (result, _) = await tenant.Admin.TestAsync(Sqlite(database));
        ConnectionTestKit.AssertPassed(result, "policy", "file", "open");
        Assert.Contains("2 tables and views", result.GetProperty("steps")[2].GetProperty("message").GetString(), StringComparison.Ordinal);
        var notDatabase = Path.Combine(folder, "notes.db");
        File.WriteAllText(notDatabase, new string('x', 4096));
        var (refused, _) = await tenant.Admin.TestAsync(Sqlite(notDatabase));
        Assert.Contains("not an SQLite database", ConnectionTestKit.AssertFailedAt(refused, "file"), StringComparison.Ordinal);
        var (missing, _) = await tenant.Admin.TestAsync(Sqlite(Path.Combine(folder, "gone.db")));
        ConnectionTestKit.AssertFailedAt(missing, "file");
    }

    [StoreIndependentFact]
    public async Task TheServicesOwnDataDirectoryIsNeverTested()
    {
        var tenant = await factory.NewTenantAsync();
        var (result, _) = await tenant.Admin.TestAsync(Folder(factory.DataDir));
        Assert.Contains("data directory", ConnectionTestKit.AssertFailedAt(result, "policy"), StringComparison.Ordinal);
        // A link pointing into it leads nowhere else.
        var link = Path.Combine(folder, "link-to-data");
        Directory.CreateSymbolicLink(link, factory.DataDir);
        var (linked, _) = await tenant.Admin.TestAsync(Folder(link));
        ConnectionTestKit.AssertFailedAt(linked, "policy");
    }

    [StoreIndependentFact]
    public async Task AllowedPathsLimitWhereTestsLook()
    {
        using var app = ConnectoryFactory.With(new() { ["ConnectionTests:AllowedPaths:0"] = folder });
        var tenant = await app.NewTenantAsync();
        var (inside, _) = await tenant.Admin.TestAsync(Folder(folder));
        Assert.True(inside.GetProperty("ok").GetBoolean());
        var (outside, _) = await tenant.Admin.TestAsync(Folder(Path.GetTempPath()));
        Assert.Contains("AllowedPaths", ConnectionTestKit.AssertFailedAt(outside, "policy"), StringComparison.Ordinal);
    }

    [StoreIndependentFact]
    public async Task InputThatCannotBeTestedIs400InTheCloudShape()
    {
        var tenant = await factory.NewTenantAsync();
        async Task Refused(object body, string code, string? words = null)
        {
            var error = await ApiAssert.ErrorAsync(await tenant.Admin.PostAsJsonAsync(ConnectionTestKit.NewUrl(), body), HttpStatusCode.BadRequest, code);
            if (words is not null)
            {
                Assert.Contains(words, error.GetProperty("detail").GetString(), StringComparison.Ordinal);
            }
        }
        await Refused(new { qName = "x", datasourceID = "no-such-source", qConnectStatement = "/tmp" }, "DCERROR-0014", "no-such-source");
        await Refused(new { qName = "x", datasourceID = "postgres" }, "DCERROR-0013", "qConnectStatement");
        await Refused(new { qName = "x", datasourceID = "postgres", qConnectStatement = "CUSTOM CONNECT TO \"provider=QvOdbcConnectorPackage.exe;driver=postgres;db=x;\"" }, "DCERROR-0014", "no host");
        await Refused(new { qName = "x", datasourceID = "postgres", qConnectStatement = "CUSTOM CONNECT TO \"provider=QvOdbcConnectorPackage.exe;driver=postgres;host=h;port=99999;\"" }, "DCERROR-0014", "port");
        await Refused(new { qName = "x", datasourceID = "folder", qConnectStatement = "relative/path" }, "DCERROR-0014", "absolute");
        await Refused(new { qName = "x", datasourceID = "rest", qConnectStatement = "CUSTOM CONNECT TO \"provider=QvRestConnector.exe;url=ftp://h/x;\"" }, "DCERROR-0014", "ftp");
        await Refused(new { qName = "x", datasourceID = "rest", connectionProperties = new { method = "GET" } }, "DCERROR-0014", "url");
        var malformed = await tenant.Admin.PostAsync(ConnectionTestKit.NewUrl(), new StringContent("{\"qName\":", System.Text.Encoding.UTF8, "application/json"));
        await ApiAssert.ErrorAsync(malformed, HttpStatusCode.BadRequest, "DCERROR-0011");
        await ApiAssert.ErrorAsync(await tenant.Admin.PostAsync(ConnectionTestKit.SavedUrl("not-a-uuid"), null), HttpStatusCode.BadRequest);
        await ApiAssert.ErrorAsync(await tenant.Admin.PostAsync(ConnectionTestKit.SavedUrl(Guid.NewGuid().ToString()), null), HttpStatusCode.NotFound, "DCERROR-0040");
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);
}
