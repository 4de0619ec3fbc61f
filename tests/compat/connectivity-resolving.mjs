// Qlik's @qlik/api `connectivity/data-sources` module against Connectory: generateQriDataSources,
// getDataSourceEndpoints and filterDataSourceEndpoints; every status and body is checked against the declarations in
// shared/spec/connectivity/data-sources.d.ts.
import assert from "node:assert/strict";
import connectivity from "@qlik/api/connectivity/data-sources";
import dataConnections from "@qlik/api/data-connections";
import { apiKey, assertErrors, failure, options, raw, scenario, unique } from "./lib/env.mjs";
import { Types } from "./lib/types.mjs";

// Every error of /api carries its status; resolving also answers 403 (no ConnectionResolver role), 404 (no such
// connection for this caller), 409 (several match) and 429 (rate limit), which Qlik's declarations do not list.
const types = new Types("connectivity/data-sources.d.ts", { PublicApiError: ["status"] }, { filterDataSourceEndpoints: [403, 404, 409, 429] });

const admin = options();
const name = unique("compat-resolve");
const password = unique("pw");
const state = { connectionId: "", qri: "", resolver: undefined };

await scenario("connectivity-resolving", [
  ["a connection to resolve, and a user who may", async () => {
    const { data } = await dataConnections.createDataConnection({
      qName: name, qType: "QvOdbcConnectorPackage.exe", datasourceID: "postgres",
      qConnectStatement: 'CUSTOM CONNECT TO "provider=QvOdbcConnectorPackage.exe;driver=postgres;host=db.example.test;port=5432;db=sales;"',
      qUsername: "reader", qPassword: password,
    }, admin);
    state.connectionId = data.qID;
    const me = await raw("GET", "/api/v1/users/me");
    const user = await raw("PATCH", `/api/v1/users/${me.data.id}`, [{ op: "add", path: "/assignedRoles", value: [{ name: "ConnectionResolver" }] }]);
    assert.equal(user.status, 204, JSON.stringify(user.data));
    state.resolver = options(apiKey);
  }],
  ["generateQriDataSources answers 207 with a status per item", async () => {
    const { status, data } = await types.call("generateQriDataSources", connectivity.generateQriDataSources({
      data: [
        { connectionType: "id", connection: state.connectionId, requestId: "a", pathProperties: [{ name: "schema", value: "public" }, { name: "table", value: "orders" }] },
        { connectionType: "name", connection: `:${name}`, requestId: "b" },
        { connectionType: "id", connection: "00000000-0000-0000-0000-000000000000", requestId: "c" },
      ],
    }, admin), 207);
    assert.equal(status, 207);
    const [a, b, c] = data.data;
    assert.equal(a.status.code, 200);
    assert.match(a.qri, /^qri:db:postgres:\/\/[^#]+#public\.orders$/);
    assert.equal(a.isFullyQualified, true);
    assert.equal(b.qri, a.qri.split("#")[0]);
    assert.equal(c.status.code, 404);
    assert.equal(typeof c.status.errorResponse.dcaasErrorCode, "number");
    state.qri = b.qri;
  }],
  ["getDataSourceEndpoints lists no connector node", async () => {
    const { status, data } = await types.call("getDataSourceEndpoints", connectivity.getDataSourceEndpoints(admin), 200);
    assert.equal(status, 200);
    assert.deepEqual(data.endpoints, []);
  }],
  ["filterDataSourceEndpoints resolves the connection with its credential", async () => {
    const { status, data, headers } = await types.call("filterDataSourceEndpoints",
      connectivity.filterDataSourceEndpoints({ connectionName: `:${name}`, type: "rld" }, state.resolver), 201);
    assert.equal(status, 201);
    assert.equal(headers.get("cache-control"), "no-store");
    assert.deepEqual(data.connection, {
      connectionId: state.connectionId,
      connectionString: 'CUSTOM CONNECT TO "provider=QvOdbcConnectorPackage.exe;driver=postgres;host=db.example.test;port=5432;db=sales;"',
      dataInterfaceType: "db",
      qri: state.qri,
      spaceQualifiedConnectionName: `:${name}`,
      user: "reader",
      password,
    });
  }],
  ["filterDataSourceEndpoints refuses what it cannot find in the error shape", async () => {
    const missing = await failure(connectivity.filterDataSourceEndpoints({ connectionId: "00000000-0000-0000-0000-000000000000" }, state.resolver));
    assert.equal(missing.status, 404);
    assertErrors(missing.data, 404);
    types.check("filterDataSourceEndpoints", missing.status, missing.data);
    const malformed = await failure(connectivity.filterDataSourceEndpoints({ connectionId: "x", connectionName: "y" }, state.resolver));
    assert.equal(malformed.status, 400);
    types.check("filterDataSourceEndpoints", malformed.status, malformed.data);
    const qris = await failure(connectivity.generateQriDataSources({ data: Array.from({ length: 101 }, () => ({ connectionType: "id", connection: state.connectionId })) }, admin));
    assert.equal(qris.status, 400);
    types.check("generateQriDataSources", qris.status, qris.data);
    assert.deepEqual(types.unchecked().filter(fn => ["generateQriDataSources", "getDataSourceEndpoints", "filterDataSourceEndpoints"].includes(fn)), []);
  }],
]);
