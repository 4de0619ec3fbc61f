using System.Net;
using System.Net.Http.Json;
using Connectory.Tests.DataConnections;
using Connectory.Tests.Support;

namespace Connectory.Tests.Bundles;

/// <summary>A bundle holds only what its exporter may read, and an import creates only where its importer may.</summary>
public sealed class BundleAccessTests(ConnectoryFactory factory) : IClassFixture<ConnectoryFactory>
{
    const string PasswordCanary = "canary-access-91d0";

    [Fact]
    public async Task AUserExportsOnlyWhatTheyMayReadAndSecretsOnlyWhereTheyMayUpdate()
    {
        var tenant = await factory.NewTenantAsync();
        var mine = await tenant.NewSpaceAsync("shared", name: "Mine");
        var hidden = await tenant.NewSpaceAsync("shared", name: "Hidden");
        var readOnly = await tenant.NewSpaceAsync("managed", name: "ReadOnly");
        var user = await tenant.NewUserAsync();
        await tenant.AssignAsync(mine, user.Id, "producer");
        await tenant.AssignAsync(readOnly, user.Id, "dataconsumer");
        var inMine = await user.Client.NewConnectionAsync("In mine", mine, edit: b => { b["qUsername"] = "u"; b["qPassword"] = PasswordCanary; });
        var inHidden = await tenant.Admin.NewConnectionAsync("In hidden", hidden, edit: b => { b["qUsername"] = "u"; b["qPassword"] = PasswordCanary; });
        var inReadOnly = await tenant.Admin.NewConnectionAsync("In read-only", readOnly, edit: b => { b["qUsername"] = "u"; b["qPassword"] = PasswordCanary; });
        var adminsPersonal = await tenant.Admin.NewConnectionAsync("Admin's own");
        var other = await factory.NewTenantAsync();
        var otherTenants = await other.Admin.NewConnectionAsync("Other tenant's");
        var (publicPem, _) = BundleApi.RsaKeyPair();

        var bundle = await user.Client.ExportBundleAsync(new { recipientPublicKey = publicPem });
        var ids = bundle["connections"]!.AsArray().Select(e => e!["id"]!.GetValue<string>()).ToHashSet();
        Assert.Contains(inMine, ids);
        Assert.Contains(inReadOnly, ids);
        Assert.DoesNotContain(inHidden, ids);
        Assert.DoesNotContain(adminsPersonal, ids);
        Assert.DoesNotContain(otherTenants, ids);
        Assert.DoesNotContain(PasswordCanary, bundle.ToJsonString(), StringComparison.Ordinal);
        var readOnlyEntry = bundle["connections"]!.AsArray().Single(e => e!["id"]!.GetValue<string>() == inReadOnly)!;
        Assert.True(readOnlyEntry["secretsLeftOut"]!.GetValue<bool>());
        Assert.Null(readOnlyEntry["credential"]);
        Assert.NotNull(bundle["connections"]!.AsArray().Single(e => e!["id"]!.GetValue<string>() == inMine)!["credential"]);

        // Naming what they may not read is a 404, as GET answers it.
        await ApiAssert.ErrorAsync(await user.Client.ExportAsync(new { spaceId = hidden }), HttpStatusCode.NotFound);
        await ApiAssert.ErrorAsync(await user.Client.ExportAsync(new { ids = new[] { inMine, inHidden } }), HttpStatusCode.NotFound);
        await ApiAssert.ErrorAsync(await tenant.Admin.ExportAsync(new { ids = new[] { otherTenants } }), HttpStatusCode.NotFound);
        await ApiAssert.ErrorAsync(await other.Admin.ExportAsync(new { spaceId = mine }), HttpStatusCode.NotFound);
        var othersAll = await other.Admin.ExportBundleAsync(new { });
        Assert.Equal([otherTenants], othersAll["connections"]!.AsArray().Select(e => e!["id"]!.GetValue<string>()));

        // A filter narrows within what the caller may read.
        var filtered = await user.Client.ExportBundleAsync(new { filter = "qName sw \"In \"" });
        Assert.Equal(new[] { inMine, inReadOnly }.Order(), filtered["connections"]!.AsArray().Select(e => e!["id"]!.GetValue<string>()).Order());
    }

    [Fact]
    public async Task ImportingNeedsCreateRightsInTheTargetSpaceAndAdminRightsForDataSources()
    {
        var source = await factory.NewTenantAsync();
        var sales = await source.NewSpaceAsync("shared", name: "Sales");
        var connection = await source.Admin.NewConnectionAsync("Report feed", sales);
        Assert.Equal(HttpStatusCode.OK, (await source.Admin.PutAsJsonAsync("/api/v1/data-sources/mysql/settings", new { disabled = true })).StatusCode);
        var bundle = await source.Admin.ExportBundleAsync(new { spaceId = sales });

        var target = await factory.NewTenantAsync();
        var open = await target.NewSpaceAsync("shared", name: "Open");
        var closed = await target.NewSpaceAsync("shared", name: "Closed");
        var viewer = await target.NewSpaceAsync("shared", name: "Viewer");
        var user = await target.NewUserAsync();
        await target.AssignAsync(open, user.Id, "producer");
        await target.AssignAsync(viewer, user.Id, "consumer");

        async Task<System.Text.Json.JsonElement> ImportInto(string space) =>
            (await user.Client.ImportOkAsync(new { bundle, spaceMap = new Dictionary<string, string> { ["*"] = space } })).GetProperty("connections")[0];
        var hiddenSpace = await ImportInto("Closed");
        Assert.Equal("refused", hiddenSpace.Str("outcome"));
        Assert.Equal("Space 'Closed' not found", hiddenSpace.Str("detail"));
        Assert.Equal("Space 'Nowhere' not found", (await ImportInto("Nowhere")).Str("detail"));
        var noCreate = await ImportInto("Viewer");
        Assert.Equal("refused", noCreate.Str("outcome"));
        Assert.Contains("may not create", noCreate.Str("detail"), StringComparison.Ordinal);

        var handOver = await user.Client.ImportOkAsync(new
        {
            bundle,
            spaceMap = new Dictionary<string, string> { ["Sales"] = "Open" },
            ownerMap = new Dictionary<string, string> { [source.AdminUserId] = target.AdminUserId },
        });
        Assert.Contains("owned by another user", handOver.GetProperty("connections")[0].Str("detail"), StringComparison.Ordinal);

        var created = await user.Client.ImportOkAsync(new { bundle, spaceMap = new Dictionary<string, string> { ["Sales"] = "Open" } });
        Assert.Equal("created", created.GetProperty("connections")[0].Str("outcome"));
        Assert.Equal(user.Id, (await user.Client.GetConnectionAsync(connection)).Str("user"));
        var source0 = created.GetProperty("dataSources").EnumerateArray().Single(d => d.Str("id") == "mysql");
        Assert.Equal("refused", source0.Str("outcome"));
        Assert.False((await target.Admin.GetAsync("/api/v1/data-sources/mysql/settings").JsonAsync()).GetProperty("disabled").GetBoolean());
        Assert.Equal(0, (await target.Admin.ListAsync($"spaceId={closed}&noDatafiles=true")).GetProperty("data").GetArrayLength());

        // An explicit owner needs the right to hand connections over; the admin has it.
        var byAdmin = await target.Admin.ImportOkAsync(new
        {
            bundle,
            spaceMap = new Dictionary<string, string> { ["Sales"] = "Closed" },
            ownerMap = new Dictionary<string, string> { [source.AdminUserId] = user.Subject },
        });
        Assert.Equal("created", byAdmin.GetProperty("connections")[0].Str("outcome"));
        var copy = byAdmin.GetProperty("connections")[0].Str("id");
        Assert.NotEqual(connection, copy);
        Assert.Equal(user.Id, (await target.Admin.GetConnectionAsync(copy)).Str("user"));
    }
}
