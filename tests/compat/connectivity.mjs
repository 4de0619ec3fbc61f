// Qlik's @qlik/api `connectivity` module (dataConnections, dataCredentials, dataSources) against Connectory's
// /api/connectivity namespace. Every status and body is checked against the module's declarations in
// shared/spec/connectivity/*.d.ts, with no property beyond those declared (except the extras named below).
import assert from "node:assert/strict";
import connectivity from "@qlik/api/connectivity";
import spaces from "@qlik/api/spaces";
import { options, raw, scenario, unique } from "./lib/env.mjs";
import { Types } from "./lib/types.mjs";

const { dataConnections, dataCredentials, dataSources } = connectivity;
// Properties this service adds to Qlik's shapes, on purpose (README, "The connectivity namespace").
const connectionTypes = new Types("connectivity/data-connections.d.ts");
const credentialTypes = new Types("connectivity/data-credentials.d.ts", { Credential: ["qSeparated", "connectionId"] });
// Every error of /api carries its status, as the data-connections declarations have it.
const sourceTypes = new Types("connectivity/data-sources.d.ts", { PublicApiError: ["status"] });
const opts = options();

const prefix = unique("connectivity");
const SECRETS = ["cx-secret-1", "cx-secret-2", "cx-secret-3"];
const state = { spaceId: "", ids: new Map(), credentialId: "" };

const statement = host => `CUSTOM CONNECT TO "provider=QvOdbcConnectorPackage.exe;driver=postgres;host=${host};port=5432;db=sales;"`;

function assertNoSecret(data) {
  const text = JSON.stringify(data ?? "");
  for (const secret of SECRETS) {
    assert.ok(!text.includes(secret), `a response carries a password: ${text}`);
  }
}

async function create(name, extra = {}) {
  const body = {
    qName: name, qType: "QvOdbcConnectorPackage.exe", qConnectStatement: statement("db.example.test"), datasourceID: "postgres",
    space: state.spaceId, qUsername: "reader", qPassword: SECRETS[0], tags: ["connectivity"], ...extra,
  };
  const { data, headers } = await connectionTypes.call("createDataConnection", dataConnections.createDataConnection(body, opts), 201);
  assert.equal(data.qName, name);
  assert.ok(data.createdAt && !("created" in data), `createdAt expected: ${JSON.stringify(data)}`);
  assert.ok(headers.get("location")?.endsWith(`/api/connectivity/data-connections/${data.qID}`), `Location ${headers.get("location")}`);
  assertNoSecret(data);
  state.ids.set(name, data.qID);
  return data;
}

async function listAll(query) {
  const seen = [];
  let page = await connectionTypes.call("getDataConnections", dataConnections.getDataConnections(query, opts), 200);
  for (let guard = 0; guard < 100; guard++) {
    for (const row of page.data.data ?? []) {
      assert.ok(row.links.self.href.includes("/api/connectivity/data-connections/"), `self link ${row.links.self.href}`);
      seen.push(row);
    }
    if (!page.next) {
      return seen;
    }
    page = await connectionTypes.call("getDataConnections", page.next(), 200);
  }
  assert.fail("paging did not end");
}

await scenario("connectivity", [
  ["a shared space to hold the connections", async () => {
    const { data } = await spaces.createSpace({ name: `${prefix}-space`, type: "shared" }, opts);
    state.spaceId = data.id;
  }],

  ["dataConnections: create (ownerId), list with paging, get by id and by name", async () => {
    for (const letter of ["a", "b", "c", "d"]) {
      await create(`${prefix}-${letter}`, letter === "a" ? { ownerId: `app-${prefix}` } : {});
    }
    const rows = await listAll({ spaceId: state.spaceId, limit: 3, sort: "+qName", noDatafiles: true });
    assert.deepEqual(rows.map(r => r.qName), ["a", "b", "c", "d"].map(l => `${prefix}-${l}`));
    const owned = await listAll({ owner: `app-${prefix}` });
    assert.deepEqual(owned.map(r => r.qName), [`${prefix}-a`]);
    const { data } = await connectionTypes.call("getDataConnection", dataConnections.getDataConnection(state.ids.get(`${prefix}-a`), {}, opts), 200);
    assert.ok(data.createdAt && data.updated && !("created" in data));
    const byName = await connectionTypes.call("getDataConnection",
      dataConnections.getDataConnection(`${prefix}-b`, { type: "connectionname", spaceId: state.spaceId }, opts), 200);
    assert.equal(byName.data.qID, state.ids.get(`${prefix}-b`));
    const parsed = await connectionTypes.call("getDataConnection",
      dataConnections.getDataConnection(state.ids.get(`${prefix}-b`), { parseConnection: true }, opts), 200);
    assert.equal(parsed.data.connectionProperties?.host, "db.example.test");
  }],

  ["dataConnections: patch, put, duplicate, bulk update, bulk delete, delete", async () => {
    const a = state.ids.get(`${prefix}-a`);
    await connectionTypes.call("patchDataConnection",
      dataConnections.patchDataConnection(a, {}, [{ op: "replace", path: "/qName", value: `${prefix}-a2` }], opts), 204);
    const { data: current } = await dataConnections.getDataConnection(a, {}, opts);
    assert.equal(current.qName, `${prefix}-a2`);
    await connectionTypes.call("updateDataConnection", dataConnections.updateDataConnection(a, {}, {
      qID: a, qEngineObjectID: a, qName: `${prefix}-a3`, qType: current.qType, qConnectStatement: statement("db2.example.test"),
      datasourceID: "postgres", space: state.spaceId, qUsername: "reader", qPassword: SECRETS[1],
    }, opts), 204);
    const copy = await connectionTypes.call("duplicateDataConnections",
      dataConnections.duplicateDataConnections({ id: a, name: `${prefix}-copy` }, opts), 201);
    assert.ok(copy.data.createdAt && !("created" in copy.data));
    const moved = await connectionTypes.call("updateDataConnections", dataConnections.updateDataConnections({
      connections: [{ id: copy.data.qID, spaceId: "", spaceType: "personal" }, { id: "00000000-0000-4000-8000-000000000000", spaceId: "" }],
    }, opts), 207);
    assert.deepEqual(moved.data.data.map(item => item.status), [204, 404]);
    const removed = await connectionTypes.call("deleteDataConnections",
      dataConnections.deleteDataConnections({ connections: [{ id: copy.data.qID }] }, opts), 207);
    assert.deepEqual(removed.data.data.map(item => item.status), [204]);
    await connectionTypes.call("deleteDataConnection",
      dataConnections.deleteDataConnection(`${prefix}-d`, { type: "connectionname", spaceId: state.spaceId }, opts), 204);
  }],

  ["dataConnections: errors in the declared statuses and shape", async () => {
    await connectionTypes.call("getDataConnection", dataConnections.getDataConnection("00000000-0000-4000-8000-000000000000", {}, opts), 404);
    await connectionTypes.call("getDataConnection", dataConnections.getDataConnection("not-a-uuid", {}, opts), 400);
    await connectionTypes.call("getDataConnections", dataConnections.getDataConnections({ filter: "qName zz 1" }, opts), 400);
    await connectionTypes.call("createDataConnection", dataConnections.createDataConnection({ qName: "x" }, opts), 400);
    await connectionTypes.call("createDataConnection", dataConnections.createDataConnection({
      qName: `${prefix}-b`, qType: "QvOdbcConnectorPackage.exe", qConnectStatement: statement("db.example.test"), datasourceID: "postgres", space: state.spaceId,
    }, opts), 409);
    await connectionTypes.call("deleteDataConnection", dataConnections.deleteDataConnection("00000000-0000-4000-8000-000000000000", {}, opts), 404);
    await connectionTypes.call("patchDataConnection",
      dataConnections.patchDataConnection(state.ids.get(`${prefix}-b`), {}, [{ op: "move", path: "/qName" }], opts), 400);
  }],

  ["dataCredentials: get, put, patch, filter orphans, delete; never a password", async () => {
    const { data: connection } = await dataConnections.getDataConnection(state.ids.get(`${prefix}-b`), {}, opts);
    const linked = await credentialTypes.call("getDataCredential", dataCredentials.getDataCredential(connection.qCredentialsID, {}, opts), 200);
    assert.ok(linked.data.createdAt && !("created" in linked.data) && linked.data.links.self.href.includes("/api/connectivity/data-credentials/"));
    assertNoSecret(linked.data);
    state.credentialId = crypto.randomUUID();
    await credentialTypes.call("updateDataCredential", dataCredentials.updateDataCredential(state.credentialId, {}, {
      qName: `${prefix}-standalone`, qType: "QvOdbcConnectorPackage.exe", qUsername: "u", qPassword: SECRETS[2], datasourceID: "postgres",
    }, opts), 204);
    await credentialTypes.call("patchDataCredential",
      dataCredentials.patchDataCredential(`${prefix}-standalone`, { byCredentialName: true }, [{ op: "replace", path: "/qName", value: `${prefix}-renamed` }], opts), 204);
    const byName = await credentialTypes.call("getDataCredential", dataCredentials.getDataCredential(`${prefix}-renamed`, { byCredentialName: true }, opts), 200);
    assert.equal(byName.data.qID, state.credentialId);
    const orphans = await credentialTypes.call("filterOrphanDataCredentials", dataCredentials.filterOrphanDataCredentials({ datasourceID: "postgres" }, opts), 200);
    const orphan = orphans.data.data.find(o => o.qID === state.credentialId);
    assert.ok(orphan && orphan.createdAt && !("created" in orphan), JSON.stringify(orphans.data));
    assertNoSecret(orphans.data);
    await credentialTypes.call("deleteDataCredential", dataCredentials.deleteDataCredential(state.credentialId, {}, opts), 204);
    await credentialTypes.call("getDataCredential", dataCredentials.getDataCredential(state.credentialId, {}, opts), 404);
    await credentialTypes.call("deleteDataCredential", dataCredentials.deleteDataCredential(state.credentialId, {}, opts), 404);
  }],

  ["dataSources: catalog, api-specs, gateways, settings", async () => {
    const { data } = await sourceTypes.call("getDataSources", dataSources.getDataSources({ includeui: true }, opts), 200);
    assert.ok(data.updatedAt && !("lastUpdated" in data));
    assert.ok(data.dataSources.some(d => d.dataSourceId === "postgres"));
    await sourceTypes.call("getDataSources", dataSources.getDataSources({ dataSourceId: "no-such-source" }, opts), 404);
    const spec = await sourceTypes.call("getDataSourceApiSpecs", dataSources.getDataSourceApiSpecs("postgres", opts), 200);
    assert.ok(spec.data.connectionProperties);
    await sourceTypes.call("getDataSourceApiSpecs", dataSources.getDataSourceApiSpecs("no-such-source", opts), 404);
    await sourceTypes.call("getDataSourceGateways", dataSources.getDataSourceGateways("postgres", {}, opts), 200);
    const settings = await sourceTypes.call("getDataSourceSettings", dataSources.getDataSourceSettings("postgres", opts), 200);
    assert.equal(settings.data.disabled, false);
    await sourceTypes.call("putDataSourceSettings", dataSources.putDataSourceSettings("postgres", { disabled: true }, opts), 200);
    await connectionTypes.call("createDataConnection", dataConnections.createDataConnection({
      qName: `${prefix}-refused`, qType: "QvOdbcConnectorPackage.exe", qConnectStatement: statement("db.example.test"), datasourceID: "postgres",
    }, opts), 403);
    await sourceTypes.call("putDataSourceSettings", dataSources.putDataSourceSettings("postgres", { disabled: false }, opts), 200);
    await sourceTypes.call("putDataSourceSettings", dataSources.putDataSourceSettings("postgres", {}, opts), 400);
  }],

  ["the same data under both namespaces", async () => {
    const id = state.ids.get(`${prefix}-b`);
    const v1 = await raw("GET", `/api/v1/data-connections/${id}`);
    const { data } = await dataConnections.getDataConnection(id, {}, opts);
    const { created, links, ...rest } = v1.data;
    const { createdAt, links: newLinks, ...newRest } = data;
    assert.equal(createdAt, created);
    assert.deepEqual(newRest, rest);
    assert.equal(newLinks.self.href, links.self.href.replace("/api/v1/", "/api/connectivity/"));
  }],

  ["every operation of the three modules was called and checked", async () => {
    const unchecked = [connectionTypes, credentialTypes, sourceTypes].flatMap(t => t.unchecked())
      // Resolving and QRI generation have a scenario of their own.
      .filter(fn => !["generateQriDataSources", "getDataSourceEndpoints", "filterDataSourceEndpoints"].includes(fn));
    assert.deepEqual(unchecked, []);
    assert.throws(() => connectionTypes.check("getDataConnection", 200, { qID: "x" }), /must have required property/);
    assert.throws(() => connectionTypes.check("getDataConnection", 418, {}), /declares/);
    const { data } = await dataConnections.getDataConnection(state.ids.get(`${prefix}-b`), {}, opts);
    assert.throws(() => connectionTypes.check("getDataConnection", 200, { ...data, created: data.createdAt }), /must NOT have additional properties/);
  }],
]);
