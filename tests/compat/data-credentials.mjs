// Qlik's @qlik/api `data-credentials` module against Connectory, with connections made through `data-connections`
// (embedded qUsername/qPassword and qSeparateCredentials); every body is checked against
// data-credentials.openapi.json (and data-connections.openapi.json) for its operation and status.
import assert from "node:assert/strict";
import dataCredentials from "@qlik/api/data-credentials";
import dataConnections from "@qlik/api/data-connections";
import apiKeys from "@qlik/api/api-keys";
import spaces from "@qlik/api/spaces";
import users from "@qlik/api/users";
import { assertErrors, options, raw, scenario, unique } from "./lib/env.mjs";
import { Spec } from "./lib/spec.mjs";

// The published OrphanCredentialResItem lists `userId` and `tenantId` as required while its properties (and what
// Qlik Cloud serves) are `user` and `tenant`: require the properties the document describes.
const spec = new Spec("data-credentials.openapi.json", document => {
  const item = document.components.schemas.OrphanCredentialResItem;
  item.required = item.required.map(name => ({ userId: "user", tenantId: "tenant" })[name] ?? name);
});
const connections = new Spec("data-connections.openapi.json");
const opts = options();

const GET = "GET /api/v1/data-credentials/{qID}";
const PUT = "PUT /api/v1/data-credentials/{qID}";
const PATCH = "PATCH /api/v1/data-credentials/{qID}";
const DELETE = "DELETE /api/v1/data-credentials/{qID}";
const ORPHANS = "POST /api/v1/data-credentials/actions/filter-orphan";
const CONNECTION_CREATE = "POST /api/v1/data-connections";
const CONNECTION_GET = "GET /api/v1/data-connections/{qID}";
const CONNECTION_DELETE = "DELETE /api/v1/data-connections/{qID}";

const PASSWORDS = ["pw-standalone-7Qx", "pw-replaced-2Lm", "pw-embedded-9Rt", "pw-separated-4Kd", "pw-patched-6Vb"];
const prefix = unique("compat-cred");
const state = { me: null, spaceId: "", standalone: "", embedded: "", embeddedConnection: "", separated: "", separatedConnection: "" };

function credential(name, password, extra = {}) {
  return { qName: name, qType: "QvOdbcConnectorPackage.exe", qUsername: "reader", qPassword: password, datasourceID: "postgres", ...extra };
}

function connection(name, extra = {}) {
  return {
    qName: name,
    qType: "QvOdbcConnectorPackage.exe",
    qConnectStatement: `CUSTOM CONNECT TO "provider=QvOdbcConnectorPackage.exe;driver=postgres;host=db.example.test;port=5432;db=sales;"`,
    datasourceID: "postgres",
    space: state.spaceId,
    ...extra,
  };
}

/** Reads a credential and checks what every read must hold: its id, and no password anywhere in the body. */
async function read(id, query = {}, expected = {}) {
  const { data } = await spec.call(GET, dataCredentials.getDataCredential(id, query, opts), 200);
  const text = JSON.stringify(data);
  for (const password of PASSWORDS) {
    assert.ok(!text.includes(password), `a credential read carries a password: ${text}`);
  }
  assert.ok(!("qPassword" in data), "a credential read carries qPassword");
  assert.ok(/^https?:\/\//.test(data.links?.self?.href ?? ""), `self link is not absolute: ${data.links?.self?.href}`);
  for (const [key, value] of Object.entries(expected)) {
    assert.deepEqual(data[key], value, `${key} of ${text}`);
  }
  return data;
}

async function orphans(filter, key = opts) {
  const { data } = await spec.call(ORPHANS, dataCredentials.filterOrphanedDataCredentials(filter, key), 200);
  assert.equal(data.count, data.data.length);
  return data.data;
}

await scenario("data-credentials", [
  ["the caller and a shared space", async () => {
    state.me = (await users.getMyUser(opts)).data;
    const { data } = await spaces.createSpace({ name: `${prefix}-space`, type: "shared" }, opts);
    state.spaceId = data.id;
  }],

  ["put creates a credential; get reads it by id and by name", async () => {
    state.standalone = crypto.randomUUID();
    await spec.call(PUT, dataCredentials.updateDataCredential(state.standalone, {}, credential(`${prefix}-standalone`, PASSWORDS[0]), opts), 204);
    const got = await read(state.standalone, {}, {
      qID: state.standalone, qName: `${prefix}-standalone`, qType: "QvOdbcConnectorPackage.exe", datasourceID: "postgres", qConnCount: 0,
    });
    assert.ok(!Number.isNaN(Date.parse(got.created)) && !Number.isNaN(Date.parse(got.updated)), `timestamps ${got.created} ${got.updated}`);
    await read(`${prefix}-standalone`, { byCredentialName: true }, { qID: state.standalone });
    await read(`${prefix}-STANDALONE`, { byCredentialName: true }, { qID: state.standalone });
  }],

  ["put replaces the credential, by id and by name", async () => {
    await spec.call(PUT, dataCredentials.updateDataCredential(state.standalone, {},
      credential(`${prefix}-renamed`, PASSWORDS[1], { qID: state.standalone, qType: "QvRestConnectorPackage.exe", datasourceID: "rest" }), opts), 204);
    await read(state.standalone, {}, { qName: `${prefix}-renamed`, qType: "QvRestConnectorPackage.exe", datasourceID: "rest" });
    await spec.call(PUT, dataCredentials.updateDataCredential(`${prefix}-renamed`, { byCredentialName: true },
      credential(`${prefix}-standalone`, PASSWORDS[1]), opts), 204);
    await read(state.standalone, {}, { qName: `${prefix}-standalone`, qType: "QvOdbcConnectorPackage.exe" });
  }],

  ["a connection with qUsername and qPassword carries an embedded credential", async () => {
    const { data } = await connections.call(CONNECTION_CREATE, dataConnections.createDataConnection(
      connection(`${prefix}-embedded`, { qUsername: "dbuser", qPassword: PASSWORDS[2] }), opts), 201);
    assert.ok(data.qCredentialsID, `the connection names no credential: ${JSON.stringify(data)}`);
    state.embeddedConnection = data.qID;
    state.embedded = data.qCredentialsID;
    await read(state.embedded, {}, { qSeparated: 0, qConnCount: 1, connectionId: data.qID });
  }],

  ["a connection with qSeparateCredentials takes the caller's own credential", async () => {
    const { data } = await connections.call(CONNECTION_CREATE, dataConnections.createDataConnection(
      connection(`${prefix}-separate`, { qSeparateCredentials: true, qLogOn: "1" }), opts), 201);
    assert.equal(data.qSeparateCredentials, true);
    state.separatedConnection = data.qID;
    state.separated = crypto.randomUUID();
    await spec.call(PUT, dataCredentials.updateDataCredential(state.separated, {},
      credential(`${prefix}-separated`, PASSWORDS[3], { connectionId: data.qID, datasourceID: undefined }), opts), 204);
    await read(state.separated, {}, { qSeparated: 1, qConnCount: 1, connectionId: data.qID, datasourceID: "postgres" });
    const seen = await connections.call(CONNECTION_GET, dataConnections.getDataConnection(data.qID, {}, opts), 200);
    assert.equal(seen.data.qCredentialsID, state.separated);
  }],

  ["patch changes fields, by id and by name", async () => {
    await spec.call(PATCH, dataCredentials.patchDataCredential(state.standalone, {}, [
      { op: "replace", path: "/qName", value: `${prefix}-patched` },
      { op: "replace", path: "/qPassword", value: PASSWORDS[4] },
      { op: "replace", path: "/qUsername", value: "writer" },
    ], opts), 204);
    await read(state.standalone, {}, { qName: `${prefix}-patched` });
    await spec.call(PATCH, dataCredentials.patchDataCredential(`${prefix}-patched`, { byCredentialName: true }, [
      { op: "replace", path: "/datasourceID", value: "snowflake" },
    ], opts), 204);
    await read(state.standalone, {}, { qName: `${prefix}-patched`, datasourceID: "snowflake" });
  }],

  ["filter-orphan lists credentials no connection uses, with user and tenant", async () => {
    assert.deepEqual((await orphans({})).map(o => o.qID), [state.standalone]);
    await connections.call(CONNECTION_DELETE, dataConnections.deleteDataConnection(state.separatedConnection, {}, opts), 204);
    await read(state.separated, {}, { qConnCount: 0 });
    const all = await orphans({});
    assert.deepEqual(all.map(o => o.qID).sort(), [state.standalone, state.separated].sort());
    for (const item of all) {
      assert.equal(item.user, state.me.id);
      assert.equal(item.tenant, state.me.tenantId);
    }
    const standalone = all.find(o => o.qID === state.standalone);
    assert.equal(standalone.qName, `${prefix}-patched`);
    assert.equal(standalone.datasourceID, "snowflake");
    assert.deepEqual((await orphans({ qSeparated: 1 })).map(o => o.qID), [state.separated]);
    assert.deepEqual((await orphans({ qSeparated: 0, datasourceID: "snowflake" })).map(o => o.qID), [state.standalone]);
    assert.deepEqual(await orphans({ qType: "QvNothingConnectorPackage.exe" }), []);
  }],

  ["error bodies: 400, 404, 409", async () => {
    const unknown = crypto.randomUUID();
    assertErrors((await spec.call(GET, dataCredentials.getDataCredential(unknown, {}, opts), 404)).data, 404);
    assertErrors((await spec.call(GET, dataCredentials.getDataCredential("not-a-uuid", {}, opts), 400)).data, 400);
    assertErrors((await spec.call(GET, dataCredentials.getDataCredential(" ", { byCredentialName: true }, opts), 400)).data, 400);
    assertErrors((await spec.call(GET, dataCredentials.getDataCredential(`${prefix}-nothing`, { byCredentialName: true }, opts), 404)).data, 404);

    assertErrors((await spec.call(PUT, dataCredentials.updateDataCredential(crypto.randomUUID(), {}, { qName: `${prefix}-x` }, opts), 400)).data, 400);
    assertErrors((await spec.call(PUT, dataCredentials.updateDataCredential(crypto.randomUUID(), {},
      credential(`${prefix}-PATCHED`, "pw"), opts), 409)).data, 409);
    assertErrors((await spec.call(PUT, dataCredentials.updateDataCredential(state.embedded, {},
      credential(`${prefix}-embedded-credential`, "pw", { connectionId: crypto.randomUUID() }), opts), 400)).data, 400);

    assertErrors((await spec.call(PATCH, dataCredentials.patchDataCredential(state.standalone, {}, [{ op: "replace", path: "/qConnCount", value: 3 }], opts), 400)).data, 400);
    assertErrors((await spec.call(PATCH, dataCredentials.patchDataCredential(state.standalone, {}, [{ op: "remove", path: "/qPassword" }], opts), 400)).data, 400);
    assertErrors((await spec.call(PATCH, dataCredentials.patchDataCredential(state.separated, {},
      [{ op: "replace", path: "/connectionId", value: crypto.randomUUID() }], opts), 400)).data, 400);
    assertErrors((await spec.call(PATCH, dataCredentials.patchDataCredential(state.separated, {},
      [{ op: "replace", path: "/qName", value: `${prefix}-patched` }], opts), 409)).data, 409);
    assertErrors((await spec.call(PATCH, dataCredentials.patchDataCredential(unknown, {}, [{ op: "replace", path: "/qName", value: "x" }], opts), 404)).data, 404);

    assertErrors((await spec.call(DELETE, dataCredentials.deleteDataCredential(unknown, {}, opts), 404)).data, 404);
    assertErrors((await spec.call(ORPHANS, dataCredentials.filterOrphanedDataCredentials({ qSeparated: 2 }, opts), 400)).data, 400);

    // Direct requests for what the client cannot send: malformed JSON, a body that is not a patch array.
    const malformed = await raw("PUT", `/api/v1/data-credentials/${crypto.randomUUID()}`, "{not json");
    assert.equal(malformed.status, 400);
    assertErrors(spec.check(PUT, 400, malformed.data), 400);
    const notAnArray = await raw("PATCH", `/api/v1/data-credentials/${state.standalone}`, { op: "replace" });
    assert.equal(notAnArray.status, 400);
    assertErrors(spec.check(PATCH, 400, notAnArray.data), 400);
    const badOrphanBody = await raw("POST", "/api/v1/data-credentials/actions/filter-orphan", "[1,");
    assert.equal(badOrphanBody.status, 400);
    assertErrors(spec.check(ORPHANS, 400, badOrphanBody.data), 400);
  }],

  ["another user sees none of the caller's credentials, and may not list the caller's orphans (403)", async () => {
    const subject = unique("cred-user");
    const { data: user } = await users.createUser({ subject, name: subject, email: `${subject}@example.test` }, opts);
    const { data: key } = await apiKeys.createApiKey({ description: "compat credential user", sub: user.id }, opts);
    const other = options(key.token);
    assertErrors((await spec.call(GET, dataCredentials.getDataCredential(state.standalone, {}, other), 404)).data, 404);
    assertErrors((await spec.call(PUT, dataCredentials.updateDataCredential(state.standalone, {}, credential(`${prefix}-taken-over`, "pw"), other), 404)).data, 404);
    assertErrors((await spec.call(PATCH, dataCredentials.patchDataCredential(state.standalone, {}, [{ op: "replace", path: "/qName", value: "x" }], other), 404)).data, 404);
    assertErrors((await spec.call(DELETE, dataCredentials.deleteDataCredential(state.embedded, {}, other), 404)).data, 404);
    assert.deepEqual(await orphans({}, other), []);
    const forbidden = await spec.call(ORPHANS, dataCredentials.filterOrphanedDataCredentials({ user: state.me.id }, other), 403);
    assertErrors(forbidden.data, 403);
    await read(state.standalone, {}, { qName: `${prefix}-patched` });
  }],

  ["delete by id and by name; an embedded credential goes with its connection", async () => {
    await spec.call(DELETE, dataCredentials.deleteDataCredential(state.separated, {}, opts), 204);
    await spec.call(GET, dataCredentials.getDataCredential(state.separated, {}, opts), 404);
    await spec.call(DELETE, dataCredentials.deleteDataCredential(`${prefix}-patched`, { byCredentialName: true }, opts), 204);
    await spec.call(GET, dataCredentials.getDataCredential(state.standalone, {}, opts), 404);
    await spec.call(DELETE, dataCredentials.deleteDataCredential(state.standalone, {}, opts), 404);
    await read(state.embedded, {}, { qConnCount: 1 });
    await connections.call(CONNECTION_DELETE, dataConnections.deleteDataConnection(state.embeddedConnection, {}, opts), 204);
    await spec.call(GET, dataCredentials.getDataCredential(state.embedded, {}, opts), 404);
    assert.deepEqual(await orphans({}), []);
  }],

  ["the operations and statuses checked against the document", async () => {
    const checked = spec.summary();
    console.log(`validated: ${checked.join(", ")}`);
    for (const op of [GET, PUT, PATCH, DELETE, ORPHANS]) {
      assert.ok(checked.some(c => c.startsWith(`${op} 2`)), `no success body of ${op} was validated`);
    }
    for (const status of [400, 403, 404, 409]) {
      assert.ok(checked.some(c => c.endsWith(` ${status}`)), `no ${status} body was validated`);
    }
  }],

  ["the validator rejects what the document forbids", async () => {
    assert.throws(() => spec.check(GET, 200, { qID: "x", qName: "x", qType: "t" }), /must have required property 'qConnCount'/);
    const item = { qID: "x", qName: "x", qType: "t", created: "c", updated: "u", user: "u" };
    assert.throws(() => spec.check(ORPHANS, 200, { data: [item], count: 1 }), /must have required property 'tenant'/);
    spec.check(ORPHANS, 200, { data: [{ ...item, tenant: "t" }], count: 1 });
    assert.throws(() => spec.check(ORPHANS, 200, { data: [] }), /must have required property 'count'/);
    assert.throws(() => spec.check(DELETE, 400, { errors: [] }), /declares no 400 response/);
    assert.throws(() => spec.check(PUT, 204, { unexpected: true }), /declares no body/);
  }],
]);
