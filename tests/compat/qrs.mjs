// The community QRS client `qrs-interact` (as QSEoW scripts use it) against Connectory's /qrs over HTTPS with a
// client certificate from the site's authority and the client's own X-Qlik-User header and Xrfkey: create, filter,
// get, PUT with modifiedDate (stamped "now", and a stale one), delete. The Cloud API (CONNECTORY_URL/KEY) makes the
// QRS service user and reads what QRS wrote.
//
// CONNECTORY_QRS_HOST, CONNECTORY_QRS_PORT: the HTTPS endpoint that requires client certificates.
// CONNECTORY_QRS_CERT, CONNECTORY_QRS_KEY: the client certificate and its key in PEM (client.pem, client_key.pem as
// QSEoW exports them); CONNECTORY_QRS_PFX, CONNECTORY_QRS_PFX_PASSWORD: the same certificate as PKCS#12.
import assert from "node:assert/strict";
import QrsInteract from "qrs-interact";
import { raw, required, scenario, unique } from "./lib/env.mjs";

const endpoint = { hostname: required("CONNECTORY_QRS_HOST"), portNumber: Number(required("CONNECTORY_QRS_PORT")) };
const pem = { certFile: required("CONNECTORY_QRS_CERT"), keyFile: required("CONNECTORY_QRS_KEY") };
const pfx = { pfxFile: required("CONNECTORY_QRS_PFX"), passphrase: required("CONNECTORY_QRS_PFX_PASSWORD") };

// The client's defaults otherwise: its X-Qlik-User is "UserDirectory=Internal;UserId=sa_api".
const qrs = new QrsInteract({ ...endpoint, certificates: pem });
const serviceUser = "INTERNAL\\sa_api";

const prefix = unique("qrs");
const state = { connection: null, other: null };

/** A qrs-interact call that must fail; its rejection says "Received error code: N::body". */
async function failure(promise) {
  try {
    const result = await promise;
    assert.fail(`expected an error, got ${result.statusCode} ${JSON.stringify(result.body)}`);
  } catch (error) {
    if (error instanceof assert.AssertionError) {
      throw error;
    }
    const match = /^Received error code: (\d+)::([\s\S]*)$/.exec(error?.message ?? "");
    assert.ok(match, `not an HTTP error: ${error?.stack ?? error}`);
    return { status: Number(match[1]), body: match[2] };
  }
}

function assertEntity(entity, expected) {
  for (const [key, value] of Object.entries(expected)) {
    assert.deepEqual(entity[key], value, `${key} of ${JSON.stringify(entity)}`);
  }
  assert.equal(entity.engineObjectId, entity.id);
  assert.equal(entity.password, null, "QRS returned a password");
  assert.equal(entity.owner.userDirectory, "INTERNAL");
  assert.equal(entity.owner.userId, "sa_api");
  assert.ok(!Number.isNaN(Date.parse(entity.modifiedDate)), `modifiedDate ${entity.modifiedDate}`);
}

await scenario("qrs", [
  ["the QRS service user is made a TenantAdmin through the Cloud API", async () => {
    const { status, data } = await raw("POST", "/api/v1/users", { subject: serviceUser, name: "sa_api", assignedRoles: [{ name: "TenantAdmin" }] });
    // 409: an earlier run against the same tenant made it.
    assert.ok(status === 201 || status === 409, `${status} ${JSON.stringify(data)}`);
  }],

  ["the client's own X-Qlik-User signs in over the certificate (directory and id in any case)", async () => {
    const { statusCode, body } = await qrs.Get("dataconnection/count");
    assert.equal(statusCode, 200);
    assert.equal(typeof body.value, "number");
  }],

  ["an unknown user is refused, the certificate notwithstanding", async () => {
    const stranger = new QrsInteract({ ...endpoint, certificates: pem, repoAccount: "UserDirectory=ACME;UserId=nobody" });
    const { status } = await failure(stranger.Get("dataconnection"));
    assert.equal(status, 401);
  }],

  ["create two data connections", async () => {
    const created = await qrs.Post("dataconnection", {
      name: `${prefix}-sales`,
      connectionstring: "ODBC CONNECT TO [Sales]",
      type: "ODBC",
      username: "reader",
      password: "s3cret-value",
      logOn: 0,
      architecture: 2,
      tags: [{ name: "compat" }],
    }, "json");
    assert.equal(created.statusCode, 201);
    assertEntity(created.body, { name: `${prefix}-sales`, connectionstring: "ODBC CONNECT TO [Sales]", type: "ODBC", username: "reader", logOn: 0, architecture: 2 });
    assert.deepEqual(created.body.tags.map(t => t.name), ["compat"]);
    state.connection = created.body;
    const other = await qrs.Post("dataconnection", { name: `${prefix}-archive`, connectionstring: "C:\\archive", type: "folder" }, "json");
    assert.equal(other.statusCode, 201);
    state.other = other.body;
  }],

  ["filter by name, condensed, full and counted", async () => {
    const byName = await qrs.Get(`dataconnection?filter=name eq '${prefix}-sales'`);
    assert.equal(byName.statusCode, 200);
    assert.deepEqual(byName.body.map(c => c.id), [state.connection.id]);
    assert.equal(byName.body[0].name, `${prefix}-sales`);

    const full = await qrs.Get(`dataconnection/full?filter=name sw '${prefix}-'&orderby=name`);
    assert.deepEqual(full.body.map(c => c.name), [`${prefix}-archive`, `${prefix}-sales`]);
    assertEntity(full.body[1], { id: state.connection.id, username: "reader" });

    const typed = await qrs.Get(`dataconnection?filter=name sw '${prefix}-' and type eq 'folder'`);
    assert.deepEqual(typed.body.map(c => c.id), [state.other.id]);

    const count = await qrs.Get(`dataconnection/count?filter=name sw '${prefix}-'`);
    assert.deepEqual(count.body, { value: 2 });
  }],

  ["get by id", async () => {
    const { statusCode, body } = await qrs.Get(`dataconnection/${state.connection.id}`);
    assert.equal(statusCode, 200);
    assertEntity(body, { id: state.connection.id, name: `${prefix}-sales`, modifiedDate: state.connection.modifiedDate });
  }],

  ["the Cloud API reads the connection QRS wrote", async () => {
    const { status, data } = await raw("GET", `/api/v1/data-connections/${state.connection.id}`);
    assert.equal(status, 200, JSON.stringify(data));
    assert.equal(data.qName, `${prefix}-sales`);
    assert.equal(data.qConnectStatement, "ODBC CONNECT TO [Sales]");
  }],

  ["PUT with modifiedDate stamped now is accepted; one from before that update is a 409", async () => {
    const { body: read } = await qrs.Get(`dataconnection/${state.connection.id}`);
    const stale = structuredClone(read);
    // As in QSEoW, the connection string changes without the password being sent again (the entity read has none).
    const stamped = { ...read, connectionstring: "ODBC CONNECT TO [Sales EU]", modifiedDate: new Date().toISOString() };
    const updated = await qrs.Put(`dataconnection/${read.id}`, stamped);
    assert.equal(updated.statusCode, 200);
    assertEntity(updated.body, { id: read.id, connectionstring: "ODBC CONNECT TO [Sales EU]", username: "reader" });
    assert.ok(Date.parse(updated.body.modifiedDate) > Date.parse(read.modifiedDate), `modifiedDate ${read.modifiedDate} -> ${updated.body.modifiedDate}`);

    const conflict = await failure(qrs.Put(`dataconnection/${read.id}`, { ...stale, name: `${prefix}-lost-update` }));
    assert.equal(conflict.status, 409, conflict.body);
    const { body: after } = await qrs.Get(`dataconnection/${read.id}`);
    assert.equal(after.name, `${prefix}-sales`);
    assert.equal(after.connectionstring, "ODBC CONNECT TO [Sales EU]");
    assert.equal(after.modifiedDate, updated.body.modifiedDate);

    // The entity as the PUT answered it is current: a PUT of it goes through.
    const again = await qrs.Put(`dataconnection/${read.id}`, { ...updated.body, name: `${prefix}-sales-eu` });
    assert.equal(again.statusCode, 200);
    assert.equal(again.body.name, `${prefix}-sales-eu`);
  }],

  ["the same client certificate as PKCS#12", async () => {
    const viaPfx = new QrsInteract({ ...endpoint, certificates: pfx });
    const { statusCode, body } = await viaPfx.Get(`dataconnection?filter=id eq ${state.connection.id}`);
    assert.equal(statusCode, 200);
    assert.deepEqual(body.map(c => c.name), [`${prefix}-sales-eu`]);
  }],

  ["delete; then the connection is a 404 on both APIs", async () => {
    for (const { id } of [state.connection, state.other]) {
      const deleted = await qrs.Delete(`dataconnection/${id}`);
      assert.equal(deleted.statusCode, 204);
      const { status } = await failure(qrs.Get(`dataconnection/${id}`));
      assert.equal(status, 404);
      assert.equal((await raw("GET", `/api/v1/data-connections/${id}`)).status, 404);
    }
    const count = await qrs.Get(`dataconnection/count?filter=name sw '${prefix}-'`);
    assert.deepEqual(count.body, { value: 0 });
  }],
]);
