using System.Text.Json;
using Connectory.Tests.Support;

namespace Connectory.Tests.ApiDocuments;

/// <summary>
/// The served documents against Qlik's published ones in shared/spec: the same paths and methods, the same
/// parameters, and Qlik's schema names. Every difference is deliberate and listed here with why; the README's
/// "API documents" section lists the same. A difference not listed fails, and so does a listed one that is gone.
/// </summary>
public sealed class QlikCompatibilityTests(ConnectoryFactory factory) : IClassFixture<ConnectoryFactory>
{
    static readonly (string Ours, string Qlik)[] Pairs =
    [
        ("data-connections", "data-connections.openapi.json"),
        ("data-credentials", "data-credentials.openapi.json"),
        ("data-sources", "data-sources.openapi.json"),
        ("dcaas", "dcaas.openapi.json"),
        ("qrs-dataconnection", "qrs-dataconnection.swagger.json"),
    ];

    const string Inlined = "described inline where it is used, not as a named component";

    public static readonly Dictionary<string, string> Differences = new(StringComparer.Ordinal)
    {
        ["data-connections: POST /api/v1/data-connections/actions/test only here"] = "testing a connection before it is saved: a real connection attempt, reported step by step",
        ["data-connections: POST /api/v1/data-connections/{qID}/actions/test only here"] = "testing a saved connection with its stored credentials, which never leave the service",
        ["data-connections: parameter header:qlik-auth-state only here"] = "PATCH of an OAuth connection takes the state of the sign-in it completes, as well as its code",
        ["data-connections: schema DcaasConnectionCreate only in Qlik's"] = "the properties form of a create is the same ConnectionCreate body (IDefinedConnections tells them apart)",
        ["data-connections: schema DcaasConnectionCreateAuthResponse only in Qlik's"] = "the 201 of a create is documented as ConnectionCreateResponse; its OAuth form ({\"authUrl\"}, for a data source that signs in with OAuth) is not described as a schema",
        ["data-connections: schema Error only in Qlik's"] = "an error item is " + Inlined + " (in ResponseErrors)",
        ["data-connections: schema Errors only in Qlik's"] = "Qlik's document declares both Errors and ResponseErrors for one shape; errors here are ResponseErrors",
        ["data-connections: schema Meta only in Qlik's"] = "a list's meta ({\"count\"}) is " + Inlined + " (in Connections)",
        ["data-connections: schema Privilege only in Qlik's"] = "privileges are described inline where they are used (a list of strings)",
        ["data-connections: schema TopLevelLink only in Qlik's"] = "page links are PageLinks, shared with every list of the service",
        ["data-connections: schema PatchRequest only in Qlik's"] = "the JSON Patch array is " + Inlined + " (PatchOperation items)",
        ["data-credentials: schema Error only in Qlik's"] = "an error item is " + Inlined + " (in ResponseErrors)",
        ["data-credentials: schema Errors only in Qlik's"] = "Qlik's document declares both Errors and ResponseErrors for one shape; errors here are ResponseErrors",
        ["data-credentials: schema PatchRequest only in Qlik's"] = "the JSON Patch array is " + Inlined + " (CredentialPatchOperation items)",
        ["data-sources: schema ConnectorNodesInfo only in Qlik's"] = "no connector nodes run here; the field is " + Inlined,
        ["data-sources: schema PublicApiError only in Qlik's"] = "data-source errors answer in the Cloud shape (ResponseErrors with status), as every error of /api does",
        ["data-sources: schema QriTemplate only in Qlik's"] = "QRI templates are " + Inlined + " (in QriDefinition)",
        ["data-sources: schema UiInfo only in Qlik's"] = "UI hints are " + Inlined + " (in DataSourceNew)",
        ["dcaas: schema AuthUrlResponse only in Qlik's"] = "the OAuth answer of a create ({\"authUrl\"}) is described in the 201's text",
        ["dcaas: schema PublicApiError only in Qlik's"] = "an error item is " + Inlined + " (in ResponseErrors)",
        ["qrs-dataconnection: POST /qrs/dataconnection/previewcreateprivilege only in Qlik's"] = "privilege previews are not served: GET with privileges=true reports each connection's privileges",
        ["qrs-dataconnection: POST /qrs/dataconnection/previewprivileges only in Qlik's"] = "privilege previews are not served: GET with privileges=true reports each connection's privileges",
        ["qrs-dataconnection: POST /qrs/dataconnection/table only in Qlik's"] = "QRS table views are not served; /full gives every field",
        ["qrs-dataconnection: parameter query:listentries only in Qlik's"] = "the default connection has no list entries to include",
        ["qrs-dataconnection: parameter query:Xrfkey only here"] = "QRS requires the Xrfkey pair on every call (else 403); Qlik's swagger leaves it to its prose",
        ["qrs-dataconnection: parameter header:x-qlik-xrfkey only here"] = "QRS requires the Xrfkey pair on every call (else 403); Qlik's swagger leaves it to its prose",
        ["qrs-dataconnection: schema CustomPropertyDefinitionCondensed only in Qlik's"] = "custom properties are " + Inlined,
        ["qrs-dataconnection: schema CustomPropertyValue only in Qlik's"] = "custom properties are " + Inlined,
        ["qrs-dataconnection: schema TagCondensed only in Qlik's"] = "tags are " + Inlined,
        ["qrs-dataconnection: schema UserCondensed only in Qlik's"] = "the owner is " + Inlined,
        ["qrs-dataconnection: schema Table only in Qlik's"] = "QRS table views are not served",
        ["qrs-dataconnection: schema TableDefinition only in Qlik's"] = "QRS table views are not served",
        ["qrs-dataconnection: schema TableDefinitionColumn only in Qlik's"] = "QRS table views are not served",
        ["qrs-dataconnection: schema TableDefinitionListColumn only in Qlik's"] = "QRS table views are not served",
    };

    [StoreIndependentFact]
    public async Task DocumentsDifferFromQliksOnlyWhereTheAllowListSays()
    {
        var served = await ServedDocuments.FetchAllAsync(factory);
        var found = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var (ours, qlikFile) in Pairs)
        {
            var qlik = JsonDocument.Parse(File.ReadAllText(ServedDocuments.SpecFile(qlikFile))).RootElement;
            var mine = ServedDocuments.Operations(served[ours]);
            var theirs = ServedDocuments.Operations(qlik);
            found.UnionWith(theirs.Keys.Except(mine.Keys).Select(o => $"{ours}: {o} only in Qlik's"));
            found.UnionWith(mine.Keys.Except(theirs.Keys).Select(o => $"{ours}: {o} only here"));
            foreach (var operation in mine.Keys.Intersect(theirs.Keys))
            {
                found.UnionWith(theirs[operation].Except(mine[operation]).Select(p => $"{ours}: parameter {p} only in Qlik's"));
                found.UnionWith(mine[operation].Except(theirs[operation]).Select(p => $"{ours}: parameter {p} only here"));
            }
            found.UnionWith(ServedDocuments.SchemaNames(qlik).Except(ServedDocuments.SchemaNames(served[ours])).Select(s => $"{ours}: schema {s} only in Qlik's"));
        }
        var unlisted = found.Where(d => !Differences.ContainsKey(d)).ToList();
        Assert.True(unlisted.Count == 0, "differences from Qlik's documents that the allow-list does not name: " + string.Join("; ", unlisted));
        var gone = Differences.Keys.Where(d => !found.Contains(d)).ToList();
        Assert.True(gone.Count == 0, "allow-listed differences that no longer exist (remove them here and in README): " + string.Join("; ", gone));
    }

    [StoreIndependentFact]
    public void ReadmeListsEveryDeliberateDifference()
    {
        var readme = File.ReadAllText(Path.Combine(RepositoryRoot(), "README.md"));
        var section = readme[readme.IndexOf("## API documents", StringComparison.Ordinal)..];
        Assert.All(Differences.Keys, d => Assert.Contains(d, section, StringComparison.Ordinal));
    }

    static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Connectory.slnx")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("No Connectory.slnx above " + AppContext.BaseDirectory);
    }
}
