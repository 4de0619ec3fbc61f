// Qlik's @qlik/api `groups` module against Connectory, and group assignments through its `spaces` module. Bodies
// are checked against the groups module's own declarations (shared/spec/groups.d.ts), transcribed below: required
// members, their types and enums; optional members typed when present.
import assert from "node:assert/strict";
import Ajv from "ajv";
import { createQlikApi } from "@qlik/api";
import apiKeys from "@qlik/api/api-keys";
import groups from "@qlik/api/groups";
import spaces from "@qlik/api/spaces";
import users from "@qlik/api/users";
import { assertErrors, failure, hostConfig, options, raw, scenario, unique } from "./lib/env.mjs";

const admin = options();
const fresh = { noCache: true };
const prefix = unique("groups");
const state = { group: null, idp: null, member: null, memberClient: null, space: null, connection: null };

const str = { type: "string" };
const obj = (required, properties) => ({ type: "object", required: Object.keys(required), properties: { ...required, ...properties } });
const link = obj({ href: str }, {});
const assignedRoles = { type: "array", items: obj({ id: str, level: { enum: ["admin", "user"] }, name: str, type: { enum: ["default", "custom"] } }, {}) };
const group = obj(
  { createdAt: str, id: str, lastUpdatedAt: str, links: obj({ self: link }, {}), name: str, status: { enum: ["active", "disabled"] }, tenantId: str },
  { assignedRoles, createdBy: str, description: str, providerType: { enum: ["idp", "custom"] }, updatedBy: str });
const schemas = {
  Group: group,
  Groups: obj({}, { data: { type: "array", items: group }, links: obj({ self: link }, { next: link, prev: link }), totalResults: { type: "integer" } }),
  GroupSettings: obj({ autoCreateGroups: { type: "boolean" }, links: obj({ self: link }, {}), tenantId: str }, { syncIdpGroups: { type: "boolean" } }),
  Errors: obj({}, {
    errors: { type: "array", items: obj({ code: str, title: str }, { detail: str, status: { type: "integer" }, meta: {}, source: obj({}, { parameter: str, pointer: str }) }) },
    traceId: str,
  }),
};
const ajv = new Ajv({ allErrors: true, strict: false });
function shape(name, body) {
  const validate = ajv.compile(schemas[name]);
  assert.ok(validate(body), `body is not @qlik/api's ${name}: ${JSON.stringify(validate.errors)}\nbody: ${JSON.stringify(body)}`);
  return body;
}

function expectError(result, status) {
  assert.equal(result.status, status, `expected ${status}, got ${result.status}: ${JSON.stringify(result.data)}`);
  shape("Errors", result.data);
  assertErrors(result.data, status);
}

await scenario("groups", [
  ["create a custom group with a role, and an identity-provider group", async () => {
    const { status, data, headers } = await groups.createGroup(
      { name: `${prefix}-Dev`, description: "builders", providerType: "custom", assignedRoles: [{ name: "Developer" }] }, admin);
    assert.equal(status, 201);
    shape("Group", data);
    assert.equal(data.name, `${prefix}-Dev`);
    assert.equal(data.providerType, "custom");
    assert.equal(data.status, "active");
    assert.deepEqual(data.assignedRoles.map(r => r.name), ["Developer"]);
    assert.ok(headers.get("location")?.endsWith(`/api/v1/groups/${data.id}`), `Location ${headers.get("location")}`);
    state.group = data;
    const idp = await groups.createGroup({ name: `${prefix}-idp` }, admin);
    shape("Group", idp.data);
    assert.equal(idp.data.providerType, "idp");
    state.idp = idp.data;
  }],

  ["a taken name is 409, a bad body 400", async () => {
    expectError(await failure(groups.createGroup({ name: `${prefix}-Dev` }, admin)), 409);
    expectError(await failure(groups.createGroup({ name: "" }, admin)), 400);
    expectError(await failure(groups.createGroup({ name: "x", providerType: "ldap" }, admin)), 400);
  }],

  ["get, list with filter, paging and totalResults, filter by body", async () => {
    const one = await groups.getGroup(state.group.id, admin);
    shape("Group", one.data);
    assert.equal(one.data.id, state.group.id);
    const listed = await groups.getGroups({ filter: `name sw "${prefix}"`, limit: 1, totalResults: true, sort: "+name" }, admin);
    shape("Groups", listed.data);
    assert.equal(listed.data.totalResults, 2);
    assert.deepEqual(listed.data.data.map(g => g.id), [state.group.id]);
    assert.ok(listed.next, "no next page");
    const second = await listed.next(fresh);
    shape("Groups", second.data);
    assert.deepEqual(second.data.data.map(g => g.id), [state.idp.id]);
    assert.ok(second.prev, "no prev page");
    const back = await second.prev(fresh);
    assert.deepEqual(back.data.data.map(g => g.id), [state.group.id]);
    const filtered = await groups.filterGroups({ limit: 10 }, { filter: `name eq "${prefix}-IDP"` }, admin);
    shape("Groups", filtered.data);
    assert.deepEqual(filtered.data.data.map(g => g.id), [state.idp.id]);
    expectError(await failure(groups.getGroups({ filter: "nosuch eq \"x\"" }, admin)), 400);
    expectError(await failure(groups.getGroup("000000000000000000000000", admin)), 404);
  }],

  ["patch a custom group's name, description and roles; an idp group's name stays", async () => {
    const patched = await groups.patchGroup(state.group.id, [
      { op: "replace", path: "name", value: `${prefix}-Devs` },
      { op: "replace", path: "description", value: "renamed" },
      { op: "replace", path: "assignedRoles", value: [{ name: "Developer" }, { name: "DataAdmin" }] },
    ], admin);
    assert.equal(patched.status, 204);
    const read = await groups.getGroup(state.group.id, admin);
    assert.equal(read.data.name, `${prefix}-Devs`);
    assert.equal(read.data.description, "renamed");
    assert.deepEqual(read.data.assignedRoles.map(r => r.name).sort(), ["DataAdmin", "Developer"]);
    expectError(await failure(groups.patchGroup(state.idp.id, [{ op: "replace", path: "name", value: "x" }], admin)), 400);
  }],

  ["settings read and change", async () => {
    const settings = await groups.getGroupsSettings(admin);
    shape("GroupSettings", settings.data);
    assert.equal(settings.data.autoCreateGroups, true);
    assert.equal((await groups.patchGroupsSettings([{ op: "replace", path: "/autoCreateGroups", value: false }], admin)).status, 204);
    assert.equal((await groups.getGroupsSettings(admin)).data.autoCreateGroups, false);
    assert.equal((await groups.patchGroupsSettings([{ op: "replace", path: "/autoCreateGroups", value: true }], admin)).status, 204);
  }],

  ["a group's space assignment reaches its member", async () => {
    const user = await users.createUser({ subject: `${prefix}-member`, name: `${prefix}-member` }, admin);
    state.member = user.data;
    const key = await apiKeys.createApiKey({ description: `${prefix} key`, sub: user.data.id }, admin);
    state.memberClient = createQlikApi({ hostConfig: hostConfig(key.data.token) });
    const space = await spaces.createSpace({ name: `${prefix}-space`, type: "shared" }, admin);
    state.space = space.data;
    expectError(await failure(state.memberClient.spaces.getSpace(space.data.id, fresh)), 404);

    const assigned = await spaces.createSpaceAssignment(space.data.id, { type: "group", assigneeId: state.idp.id, roles: ["producer"] }, admin);
    assert.equal(assigned.status, 201);
    assert.equal(assigned.data.type, "group");
    assert.equal(assigned.data.assigneeId, state.idp.id);
    const listed = await spaces.getSpaceAssignments(space.data.id, { type: "group" }, admin);
    assert.deepEqual(listed.data.data.map(a => a.id), [assigned.data.id]);
    expectError(await failure(spaces.createSpaceAssignment(space.data.id, { type: "group", assigneeId: state.idp.id, roles: ["consumer"] }, admin)), 409);
    expectError(await failure(spaces.createSpaceAssignment(space.data.id, { type: "group", assigneeId: state.member.id, roles: ["consumer"] }, admin)), 400);

    // Stored membership: the documented addition PUT /api/v1/groups/{id}/members/{userId}.
    const put = await raw("PUT", `/api/v1/groups/${state.idp.id}/members/${state.member.id}`);
    assert.equal(put.status, 204, JSON.stringify(put.data));
    const seen = await state.memberClient.spaces.getSpace(space.data.id, fresh);
    assert.deepEqual(seen.data.meta.roles, ["producer"]);
    assert.ok(seen.data.meta.actions.includes("create"), JSON.stringify(seen.data.meta));
    const made = await state.memberClient.dataConnections.createDataConnection({
      qName: `${prefix}-conn`, qType: "QvOdbcPostgres.exe", datasourceID: "postgres", space: space.data.id,
      qConnectStatement: "CUSTOM CONNECT TO \"provider=QvOdbcPostgres.exe;host=db.example.test;port=5432;\"",
    }, fresh);
    assert.equal(made.status, 201);
    state.connection = made.data.qID ?? made.data.id;
  }],

  ["a non-admin reads groups but cannot change them", async () => {
    const listed = await state.memberClient.groups.getGroups({ filter: `name sw "${prefix}"` }, fresh);
    shape("Groups", listed.data);
    assert.equal(listed.data.data.length, 2);
    expectError(await failure(state.memberClient.groups.createGroup({ name: `${prefix}-mine` }, fresh)), 403);
    expectError(await failure(state.memberClient.groups.patchGroup(state.group.id, [{ op: "replace", path: "name", value: "x" }], fresh)), 403);
  }],

  ["users show their groups, filter by them and an admin patches them", async () => {
    const read = await users.getUser(state.member.id, {}, admin);
    assert.deepEqual(read.data.assignedGroups.map(g => g.id), [state.idp.id]);
    assert.equal(read.data.assignedGroups[0].providerType, "idp");
    const filtered = await users.getUsers({ filter: `assignedGroups.id eq "${state.idp.id}"` }, admin);
    assert.deepEqual(filtered.data.data.map(u => u.id), [state.member.id]);
    const patched = await users.patchUser(state.member.id,
      [{ op: "add", path: "/assignedGroups", value: [{ name: `${prefix}-Devs`, providerType: "custom" }] }], admin);
    assert.equal(patched.status, 204);
    const after = await users.getUser(state.member.id, {}, admin);
    assert.deepEqual(after.data.assignedGroups.map(g => g.id).sort(), [state.group.id, state.idp.id].sort());
    const removed = await users.patchUser(state.member.id,
      [{ op: "remove-value", path: "/assignedGroups", value: [{ name: `${prefix}-Devs`, providerType: "custom" }] }], admin);
    assert.equal(removed.status, 204);
    expectError(await failure(users.patchUser(state.member.id,
      [{ op: "add", path: "/assignedGroups", value: [{ name: `${prefix}-no-such-group`, providerType: "custom" }] }], admin)), 400);
  }],

  ["deleting the group ends its assignment and the member's access", async () => {
    assert.equal((await groups.deleteGroup(state.idp.id, admin)).status, 204);
    expectError(await failure(groups.getGroup(state.idp.id, admin)), 404);
    expectError(await failure(groups.deleteGroup(state.idp.id, admin)), 404);
    const left = await spaces.getSpaceAssignments(state.space.id, { type: "group" }, admin);
    assert.deepEqual(left.data.data, []);
    expectError(await failure(state.memberClient.spaces.getSpace(state.space.id, fresh)), 404);
    assert.equal((await groups.deleteGroup(state.group.id, admin)).status, 204);
  }],
]);
