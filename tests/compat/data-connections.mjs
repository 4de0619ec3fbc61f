// Qlik's @qlik/api `data-connections` module against Connectory; every body is checked against
// data-connections.openapi.json for its operation and status.
import assert from "node:assert/strict";
import dataConnections from "@qlik/api/data-connections";
import apiKeys from "@qlik/api/api-keys";
import spaces from "@qlik/api/spaces";
import users from "@qlik/api/users";
import { assertErrors, options, raw, scenario, unique } from "./lib/env.mjs";
import { Spec } from "./lib/spec.mjs";

const spec = new Spec("data-connections.openapi.json");
const opts = options();

const LIST = "GET /api/v1/data-connections";
const CREATE = "POST /api/v1/data-connections";
const GET = "GET /api/v1/data-connections/{qID}";
const PATCH = "PATCH /api/v1/data-connections/{qID}";
const PUT = "PUT /api/v1/data-connections/{qID}";
const DELETE = "DELETE /api/v1/data-connections/{qID}";
const BULK_DELETE = "POST /api/v1/data-connections/actions/delete";
const BULK_UPDATE = "POST /api/v1/data-connections/actions/update";
const DUPLICATE = "POST /api/v1/data-connections/actions/duplicate";

const prefix = unique("compat");
const state = { spaceId: "", created: [], byName: new Map() };

function statement(host) {
  return `CUSTOM CONNECT TO "provider=QvOdbcConnectorPackage.exe;driver=postgres;host=${host};port=5432;db=sales;"`;
}

async function create(name, extra = {}) {
  const body = {
    qName: name,
    qType: "QvOdbcConnectorPackage.exe",
    qConnectStatement: statement("db.example.test"),
    datasourceID: "postgres",
    space: state.spaceId,
    qUsername: "reader",
    qPassword: "s3cret-value",
    tags: ["compat"],
    ...extra,
  };
  const { data, headers } = await spec.call(CREATE, dataConnections.createDataConnection(body, opts), 201);
  assert.ok(data.qID, "created without qID");
  assert.equal(data.qName, name);
  assert.equal(data.qID, data.qEngineObjectID, "qID and qEngineObjectID differ");
  assert.equal(data.space, state.spaceId);
  assert.ok(data.privileges.includes("read") && data.privileges.includes("update"), `privileges ${data.privileges}`);
  assert.ok(!("qPassword" in data), "the create response carries the password");
  assert.ok(/^https?:\/\//.test(data.links.self.href), `self link is not absolute: ${data.links.self.href}`);
  const location = headers.get("location");
  assert.ok(location?.endsWith(`/api/v1/data-connections/${data.qID}`), `Location ${location}`);
  state.created.push(data.qID);
  state.byName.set(name, data.qID);
  return data;
}

async function listAll(query) {
  const seen = [];
  let page = await spec.call(LIST, dataConnections.getDataConnections(query, opts), 200);
  let pages = 1;
  for (;;) {
    seen.push(...page.data.data);
    assert.ok(page.data.links?.self?.href, "page without a self link");
    if (!page.next) {
      assert.equal(page.data.links.next, undefined);
      break;
    }
    assert.ok(/^https?:\/\//.test(page.data.links.next.href), `next link is not absolute: ${page.data.links.next.href}`);
    page = await spec.call(LIST, page.next(opts), 200);
    pages += 1;
    assert.ok(pages < 50, "paging does not end");
  }
  return { items: seen, pages };
}

await scenario("data-connections", [
  ["a shared space to hold the connections", async () => {
    const { data } = await spaces.createSpace({ name: `${prefix}-space`, type: "shared" }, opts);
    state.spaceId = data.id;
  }],

  ["create five connections", async () => {
    for (const n of ["e", "b", "d", "a", "c"]) {
      await create(`${prefix}-${n}`);
    }
  }],

  ["list with filter, sort and paging, following next", async () => {
    const { items, pages } = await listAll({
      spaceId: state.spaceId,
      filter: `qName sw "${prefix}-"`,
      sort: "+qName",
      limit: 2,
      noDatafiles: true,
    });
    assert.equal(pages, 3);
    assert.deepEqual(items.map(c => c.qName), ["a", "b", "c", "d", "e"].map(n => `${prefix}-${n}`));
    for (const c of items) {
      assert.ok(!("qPassword" in c) && !("qConnectionSecret" in c), "a list row carries a secret");
      assert.equal(c.space, state.spaceId);
    }
    const query = { spaceId: state.spaceId, sort: "+qName", limit: 2, noDatafiles: true };
    const first = await spec.call(LIST, dataConnections.getDataConnections(query, opts), 200);
    const second = await spec.call(LIST, first.next(opts), 200);
    const third = await spec.call(LIST, second.next(opts), 200);
    assert.ok(third.prev, "the last page has no prev link");
    const back = await spec.call(LIST, third.prev(opts), 200);
    assert.deepEqual(back.data.data.map(c => c.qID), second.data.data.map(c => c.qID));
  }],

  ["list sorted descending and filtered by equality", async () => {
    const { items } = await listAll({ spaceId: state.spaceId, sort: "-qName", limit: 10, noDatafiles: true });
    assert.deepEqual(items.map(c => c.qName), ["e", "d", "c", "b", "a"].map(n => `${prefix}-${n}`));
    const { data } = await spec.call(LIST, dataConnections.getDataConnections({ filter: `qName eq "${prefix}-c"`, noDatafiles: true }, opts), 200);
    assert.deepEqual(data.data.map(c => c.qID), [state.byName.get(`${prefix}-c`)]);
  }],

  ["the space's DataFiles connection is listed after the others, and reads by id", async () => {
    const { items } = await listAll({ spaceId: state.spaceId, limit: 4 });
    assert.equal(items.length, 6);
    const files = items.at(-1);
    assert.equal(files.qName, "DataFiles");
    assert.equal(files.space, state.spaceId);
    const { data } = await spec.call(GET, dataConnections.getDataConnection(files.qID, {}, opts), 200);
    assert.equal(data.qName, "DataFiles");
  }],

  ["get by id and by name", async () => {
    const id = state.byName.get(`${prefix}-a`);
    const { data } = await spec.call(GET, dataConnections.getDataConnection(id, {}, opts), 200);
    assert.equal(data.qID, id);
    assert.equal(data.qName, `${prefix}-a`);
    assert.equal(data.datasourceID, "postgres");
    assert.deepEqual(data.tags, ["compat"]);
    assert.ok(!("qPassword" in data), "get carries the password");
    const byName = await spec.call(GET, dataConnections.getDataConnection(`${prefix}-a`, { type: "connectionname", spaceId: state.spaceId }, opts), 200);
    assert.equal(byName.data.qID, id);
  }],

  ["create and read variants: a given qID, separate credentials, parsed and extended reads", async () => {
    const qID = crypto.randomUUID();
    const given = await create(`${prefix}-given`, { qID, qEngineObjectID: qID, qLogOn: "LOG_ON_CURRENT_USER", qArchitecture: 0 });
    assert.equal(given.qID, qID);
    const separate = await create(`${prefix}-separate`, { qUsername: undefined, qPassword: undefined, qSeparateCredentials: true, qLogOn: "1" });
    assert.equal(separate.qSeparateCredentials, true);
    for (const query of [{ parseConnection: true }, { extended: true }, { noCache: true }]) {
      const { data } = await spec.call(GET, dataConnections.getDataConnection(qID, query, opts), 200);
      assert.equal(data.qID, qID);
      assert.ok([0, 1].includes(data.qLogOn), `qLogOn ${data.qLogOn}`);
    }
    const { data } = await spec.call(LIST, dataConnections.getDataConnections(
      { spaceId: state.spaceId, extended: true, includeQris: true, caseinsensitive: true, sort: "-created", noDatafiles: true }, opts), 200);
    assert.ok(data.data.some(c => c.qID === qID));
    assert.equal(data.meta?.count, data.data.length);
    for (const id of [qID, separate.qID]) {
      await spec.call(DELETE, dataConnections.deleteDataConnection(id, {}, opts), 204);
    }
  }],

  ["patch", async () => {
    const id = state.byName.get(`${prefix}-b`);
    await spec.call(PATCH, dataConnections.patchDataConnection(id, {}, [
      { op: "replace", path: "/qName", value: `${prefix}-b2` },
      { op: "add", path: "/tags/-", value: "patched" },
    ], opts), 204);
    const { data } = await spec.call(GET, dataConnections.getDataConnection(id, {}, opts), 200);
    assert.equal(data.qName, `${prefix}-b2`);
    assert.deepEqual(data.tags, ["compat", "patched"]);
    state.byName.set(`${prefix}-b2`, id);
  }],

  ["put", async () => {
    const id = state.byName.get(`${prefix}-c`);
    await spec.call(PUT, dataConnections.updateDataConnection(id, {}, {
      qID: id,
      qEngineObjectID: id,
      qName: `${prefix}-c2`,
      qType: "QvOdbcConnectorPackage.exe",
      qConnectStatement: statement("db.example.test"),
      datasourceID: "postgres",
      space: state.spaceId,
      qUsername: "writer",
      qPassword: "an0ther-secret",
      tags: ["put"],
    }, opts), 204);
    const { data } = await spec.call(GET, dataConnections.getDataConnection(id, {}, opts), 200);
    assert.equal(data.qName, `${prefix}-c2`);
    assert.deepEqual(data.tags, ["put"]);
  }],

  ["duplicate", async () => {
    const source = state.byName.get(`${prefix}-a`);
    const { data } = await spec.call(DUPLICATE, dataConnections.duplicateDataAConnection({ id: source, name: `${prefix}-a-copy` }, opts), 201);
    assert.notEqual(data.qID, source);
    assert.equal(data.qName, `${prefix}-a-copy`);
    assert.equal(data.space, state.spaceId);
    state.created.push(data.qID);
    state.byName.set(`${prefix}-a-copy`, data.qID);
  }],

  ["bulk update moves a connection to another space, and reports an unknown id per item", async () => {
    const { data: target } = await spaces.createSpace({ name: `${prefix}-target`, type: "shared" }, opts);
    state.targetSpaceId = target.id;
    const id = state.byName.get(`${prefix}-d`);
    const unknown = "00000000-0000-0000-0000-000000000000";
    const { data } = await spec.call(BULK_UPDATE, dataConnections.updateDataConnections({
      connections: [{ id, spaceId: target.id, spaceType: "shared" }, { id: unknown, spaceId: target.id, spaceType: "shared" }],
    }, opts), 207);
    assert.equal(data.data.length, 2);
    assert.equal(data.data.find(r => r.id === id)?.status, 204, JSON.stringify(data));
    assert.equal(data.data.find(r => r.id === unknown)?.status, 404, JSON.stringify(data));
    const got = await spec.call(GET, dataConnections.getDataConnection(id, {}, opts), 200);
    assert.equal(got.data.space, target.id);
  }],

  ["error bodies: 400 (bad filter, missing fields), 404, 409, 403", async () => {
    const badFilter = await spec.call(LIST, dataConnections.getDataConnections({ filter: "qName eq" }, opts), 400);
    assertErrors(badFilter.data, 400);
    const missing = await spec.call(CREATE, dataConnections.createDataConnection({ qName: `${prefix}-x` }, opts), 400);
    assertErrors(missing.data, 400);
    const notFound = await spec.call(GET, dataConnections.getDataConnection("00000000-0000-0000-0000-000000000000", {}, opts), 404);
    assertErrors(notFound.data, 404);
    const duplicateName = await spec.call(CREATE, dataConnections.createDataConnection({
      qName: `${prefix}-a`, qType: "QvOdbcConnectorPackage.exe", qConnectStatement: statement("db.example.test"),
      datasourceID: "postgres", space: state.spaceId,
    }, opts), 409);
    assertErrors(duplicateName.data, 409);

    const badLimit = await spec.call(LIST, dataConnections.getDataConnections({ limit: 0 }, opts), 400);
    assertErrors(badLimit.data, 400);
    const badSort = await spec.call(LIST, dataConnections.getDataConnections({ sort: "+nothing" }, opts), 400);
    assertErrors(badSort.data, 400);
    const badType = await spec.call(GET, dataConnections.getDataConnection(state.byName.get(`${prefix}-a`), { type: "name" }, opts), 400);
    assertErrors(badType.data, 400);
    const putMissing = await spec.call(PUT, dataConnections.updateDataConnection(state.byName.get(`${prefix}-a`), {}, { qName: "only a name" }, opts), 400);
    assertErrors(putMissing.data, 400);
    const unknownId = crypto.randomUUID();
    const putUnknown = await spec.call(PUT, dataConnections.updateDataConnection(unknownId, {}, {
      qID: unknownId, qEngineObjectID: unknownId, qName: `${prefix}-ghost`, qType: "QvOdbcConnectorPackage.exe",
      qConnectStatement: statement("db.example.test"),
    }, opts), 404);
    assertErrors(putUnknown.data, 404);
    const patchUnknown = await spec.call(PATCH, dataConnections.patchDataConnection(unknownId, {}, [{ op: "replace", path: "/qName", value: "x" }], opts), 404);
    assertErrors(patchUnknown.data, 404);
    const duplicateUnknown = await spec.call(DUPLICATE, dataConnections.duplicateDataAConnection({ id: unknownId }, opts), 404);
    assertErrors(duplicateUnknown.data, 404);
    const duplicateTaken = await spec.call(DUPLICATE, dataConnections.duplicateDataAConnection({ id: state.byName.get(`${prefix}-a`), name: `${prefix}-e` }, opts), 409);
    assertErrors(duplicateTaken.data, 409);
    const bulkEmpty = await spec.call(BULK_DELETE, dataConnections.deleteDataConnections({ connections: [] }, opts), 400);
    assertErrors(bulkEmpty.data, 400);
    const bulkUpdateEmpty = await spec.call(BULK_UPDATE, dataConnections.updateDataConnections({}, opts), 400);
    assertErrors(bulkUpdateEmpty.data, 400);

    // Direct requests for what the client cannot send: malformed JSON, a wrong body type.
    const malformed = await raw("POST", "/api/v1/data-connections", "{not json");
    assert.equal(malformed.status, 400);
    spec.check(CREATE, 400, malformed.data);
    assertErrors(malformed.data, 400);
    const badPatch = await raw("PATCH", `/api/v1/data-connections/${state.byName.get(`${prefix}-a`)}`, { op: "replace" });
    assert.equal(badPatch.status, 400);
    spec.check(PATCH, 400, badPatch.data);
    assertErrors(badPatch.data, 400);
    const rawNotFound = await raw("DELETE", "/api/v1/data-connections/00000000-0000-0000-0000-000000000000");
    assert.equal(rawNotFound.status, 404);
    spec.check(DELETE, 404, rawNotFound.data);
    assertErrors(rawNotFound.data, 404);
    const rawConflict = await raw("PATCH", `/api/v1/data-connections/${state.byName.get(`${prefix}-a`)}`,
      [{ op: "replace", path: "/qName", value: `${prefix}-e` }]);
    assert.equal(rawConflict.status, 409);
    spec.check(PATCH, 409, rawConflict.data);
    assertErrors(rawConflict.data, 409);
    const spaceForbidden = await raw("POST", "/api/v1/data-connections", {
      qName: `${prefix}-y`, qType: "QvOdbcConnectorPackage.exe", qConnectStatement: statement("db.example.test"),
      datasourceID: "postgres", space: "000000000000000000000000",
    });
    assert.ok([403, 404].includes(spaceForbidden.status), `create in an unknown space answered ${spaceForbidden.status}`);
    spec.check(CREATE, spaceForbidden.status, spaceForbidden.data);
    assertErrors(spaceForbidden.data, spaceForbidden.status);
  }],

  ["403 for a space data consumer who writes, through the client and directly", async () => {
    const subject = unique("consumer");
    const { data: user } = await users.createUser({ subject, name: subject, email: `${subject}@example.test` }, opts);
    await spaces.createSpaceAssignment(state.spaceId, { type: "user", assigneeId: user.id, roles: ["dataconsumer"] }, opts);
    const { data: key } = await apiKeys.createApiKey({ description: "compat consumer", sub: user.id }, opts);
    const consumer = options(key.token);
    const id = state.byName.get(`${prefix}-a`);
    const seen = await spec.call(GET, dataConnections.getDataConnection(id, {}, consumer), 200);
    assert.ok(!seen.data.privileges.includes("update"), `a data consumer may update: ${seen.data.privileges}`);
    const patch = await spec.call(PATCH, dataConnections.patchDataConnection(id, {}, [{ op: "replace", path: "/qName", value: `${prefix}-hijack` }], consumer), 403);
    assertErrors(patch.data, 403);
    const create = await raw("POST", "/api/v1/data-connections", {
      qName: `${prefix}-z`, qType: "QvOdbcConnectorPackage.exe", qConnectStatement: statement("db.example.test"),
      datasourceID: "postgres", space: state.spaceId,
    }, key.token);
    assert.equal(create.status, 403);
    spec.check(CREATE, 403, create.data);
    assertErrors(create.data, 403);
    // Bulk actions are for tenant and data admins only.
    const bulk = await spec.call(BULK_DELETE, dataConnections.deleteDataConnections({ connections: [{ id }] }, consumer), 403);
    assertErrors(bulk.data, 403);
    await spec.call(GET, dataConnections.getDataConnection(id, {}, opts), 200);
  }],

  ["bulk delete", async () => {
    const ids = [`${prefix}-d`, `${prefix}-e`].map(n => state.byName.get(n));
    const { data } = await spec.call(BULK_DELETE, dataConnections.deleteDataConnections({ connections: ids.map(id => ({ id })) }, opts), 207);
    assert.deepEqual(data.data.map(r => [r.id, r.status]).sort(), ids.map(id => [id, 204]).sort());
    for (const id of ids) {
      await spec.call(GET, dataConnections.getDataConnection(id, {}, opts), 404);
    }
  }],

  ["delete by id and by name", async () => {
    await spec.call(DELETE, dataConnections.deleteDataConnection(state.byName.get(`${prefix}-a-copy`), {}, opts), 204);
    await spec.call(DELETE, dataConnections.deleteDataConnection(`${prefix}-b2`, { type: "connectionname", spaceId: state.spaceId }, opts), 204);
    await spec.call(DELETE, dataConnections.deleteDataConnection(state.byName.get(`${prefix}-b2`), {}, opts), 404);
    const { items } = await listAll({ spaceId: state.spaceId, sort: "+qName", noDatafiles: true });
    assert.deepEqual(items.map(c => c.qName), [`${prefix}-a`, `${prefix}-c2`]);
  }],

  ["the operations and statuses checked against the document", async () => {
    const checked = spec.summary();
    console.log(`validated: ${checked.join(", ")}`);
    for (const op of [LIST, CREATE, GET, PATCH, PUT, DELETE, BULK_DELETE, BULK_UPDATE, DUPLICATE]) {
      assert.ok(checked.some(c => c.startsWith(`${op} 2`)), `no success body of ${op} was validated`);
    }
    for (const status of [400, 403, 404, 409]) {
      assert.ok(checked.some(c => c.endsWith(` ${status}`)), `no ${status} body was validated`);
    }
  }],

  ["the validator rejects what the document forbids", async () => {
    assert.throws(() => spec.check(GET, 200, { qID: "x", qName: "x" }), /must have required property/);
    assert.throws(() => spec.check(LIST, 200, { data: [], links: { self: {} } }), /must have required property 'href'/);
    assert.throws(() => spec.check(CREATE, 400, { errors: [{ code: 7 }] }), /must be string/);
    assert.throws(() => spec.check(DELETE, 400, { errors: [] }), /declares no 400 response/);
    assert.throws(() => spec.check(PATCH, 204, { unexpected: true }), /declares no body/);
  }],
]);
