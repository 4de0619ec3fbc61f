// Qlik's @qlik/api `data-sources` and `dcaas` modules, and DcaasConnectionCreate through `data-connections`, against
// Connectory. Success bodies are checked against data-sources.openapi.json, dcaas.openapi.json and
// data-connections.openapi.json; error bodies against the one error shape (the documents' PublicApiError lists a
// `details` member that none of them declares, and @qlik/api's types leave it out, so it is not required here).
import assert from "node:assert/strict";
import dataSources from "@qlik/api/data-sources";
import dcaas from "@qlik/api/dcaas";
import dataConnections from "@qlik/api/data-connections";
import { assertErrors, failure, options, scenario, unique } from "./lib/env.mjs";
import { Spec } from "./lib/spec.mjs";

const sources = new Spec("data-sources.openapi.json");
const deprecated = new Spec("dcaas.openapi.json");
const connections = new Spec("data-connections.openapi.json");
const opts = options();
const prefix = unique("compat-ds");
const state = { connectionId: "" };

/** dcaas.openapi.json declares its two GET answers as application/yaml (sic): check them against the named schema. */
function checkComponent(spec, name, body) {
  const validate = spec.ajv.compile({ $ref: `${spec.file}#/components/schemas/${name}` });
  assert.ok(validate(body), `${name}: ${JSON.stringify(validate.errors)}\nbody: ${JSON.stringify(body)}`);
  return body;
}

await scenario("data-sources", [
  ["getDataSources lists the catalog", async () => {
    const { data } = await sources.call("GET /api/v1/data-sources", dataSources.getDataSources({ includeui: true, detail: true }, opts), 200);
    const ids = data.dataSources.map(s => s.dataSourceId);
    for (const id of ["postgres", "snowflake", "rest", "folder", "dropbox"]) {
      assert.ok(ids.includes(id), `${id} missing from ${ids}`);
    }
    assert.deepEqual(data.connectorNodes, []);
  }],
  ["getDataSources filters on one id", async () => {
    const { data } = await sources.call("GET /api/v1/data-sources", dataSources.getDataSources({ dataSourceId: "rest" }, opts), 200);
    assert.deepEqual(data.dataSources.map(s => s.dataSourceId), ["rest"]);
    const missing = await failure(dataSources.getDataSources({ dataSourceId: "nosuch" }, opts));
    assert.equal(missing.status, 404);
    assertErrors(missing.data, 404);
  }],
  ["getDataSourceApiSpecs gives the schema", async () => {
    const { data } = await sources.call("GET /api/v1/data-sources/{dataSourceId}/api-specs", dataSources.getDataSourceApiSpecs("postgres", opts), 200);
    assert.equal(data.connectorProvider, "QvOdbcConnectorPackage.exe");
    assert.equal(data.connectionProperties.properties.password.secret, true);
  }],
  ["getDataSourceGateways is an empty list", async () => {
    const { data } = await sources.call("GET /api/v1/data-sources/{dataSourceId}/gateways", dataSources.getDataSourceGateways("postgres", {}, opts), 200);
    assert.deepEqual(data.gateways, []);
  }],
  ["settings disable and enable a data source", async () => {
    await sources.call("PUT /api/v1/data-sources/{dataSourceId}/settings", dataSources.putDataSourceSettings("mysql", { disabled: true }, opts), 200);
    const { data } = await sources.call("GET /api/v1/data-sources/{dataSourceId}/settings", dataSources.getDataSourceSettings("mysql", opts), 200);
    assert.equal(data.disabled, true);
    const refused = await failure(dataConnections.createDataConnection({
      qName: `${prefix}-off`, datasourceID: "mysql",
      connectionProperties: { host: "h", database: "d", username: "u", password: "p" },
    }, opts));
    assert.equal(refused.status, 403);
    assertErrors(refused.data, 403);
    await sources.call("PUT /api/v1/data-sources/{dataSourceId}/settings", dataSources.putDataSourceSettings("mysql", { disabled: false }, opts), 200);
  }],
  ["createDataConnection takes DcaasConnectionCreate and parseConnection gives it back", async () => {
    const properties = { host: "db.example.test", port: 5433, database: "sales", username: "reader", password: "s3cret" };
    const { data } = await connections.call("POST /api/v1/data-connections", dataConnections.createDataConnection({
      qName: `${prefix}-pg`, datasourceID: "postgres", connectionProperties: properties, tags: ["compat"],
    }, opts), 201);
    assert.ok(!data.qConnectStatement.includes("s3cret"));
    const read = await connections.call("GET /api/v1/data-connections/{qID}",
      dataConnections.getDataConnection(data.qID, { parseConnection: true }, opts), 200);
    assert.deepEqual(read.data.connectionProperties, { host: "db.example.test", port: 5433, database: "sales", sslMode: "prefer", username: "reader" });
    assert.ok(read.data.tags.includes("DcaasAPI:QvOdbcConnectorPackage.exe:1.16.0"));
    const bad = await failure(dataConnections.createDataConnection({
      qName: `${prefix}-bad`, datasourceID: "postgres", connectionProperties: { port: "x" },
    }, opts));
    assert.equal(bad.status, 400);
    connections.check("POST /api/v1/data-connections", 400, bad.data);
  }],
  ["dcaas creates, reads and describes through the deprecated endpoints", async () => {
    const created = await dcaas.dataConnectionsDcaas({
      connectionName: `${prefix}-rest`, dataSourceId: "rest", connectionProperties: { url: "https://api.example.test/" }, tags: ["compat"],
    }, opts);
    assert.equal(created.status, 201);
    assert.equal(created.headers.get("deprecation"), "true");
    checkComponent(deprecated, "CreateConnectionRes", created.data);
    state.connectionId = created.data.connectionId;

    const read = await dcaas.dataConnectionsDcaa(state.connectionId, opts);
    checkComponent(deprecated, "GetConnectionResponse", read.data);
    assert.equal(read.data.connectionProperties.url, "https://api.example.test/");
    assert.match(read.headers.get("link"), /rel="successor-version"/);

    const specs = await dcaas.dataConnectionsDcaasApiSpecs({ dataSourceId: "rest" }, opts);
    checkComponent(deprecated, "ApiSpecResponse", specs.data);
    assert.equal(specs.data.connectorProvider, "QvRestConnector.exe");

    const bad = await failure(dcaas.dataConnectionsDcaas({ connectionName: `${prefix}-x`, dataSourceId: "rest", connectionProperties: {} }, opts));
    assert.equal(bad.status, 400);
    assertErrors(bad.data, 400);
    assert.equal(bad.data.errors[0].meta.property, "url");
  }],
]);
