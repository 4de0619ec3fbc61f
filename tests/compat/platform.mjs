// Qlik's @qlik/api `users`, `api-keys` and `spaces` modules against Connectory; bodies are checked against the
// module's own types (lib/shapes.mjs), since no API document of these services is published here.
import assert from "node:assert/strict";
import { createQlikApi } from "@qlik/api";
import apiKeys from "@qlik/api/api-keys";
import spaces from "@qlik/api/spaces";
import users from "@qlik/api/users";
import { assertErrors, failure, hostConfig, options, raw, scenario, unique } from "./lib/env.mjs";
import { shape } from "./lib/shapes.mjs";

const admin = options();
const fresh = { noCache: true };
const prefix = unique("compat");
const state = { me: null, users: [], spaces: {}, key: null, member: null, assignmentId: "" };

function expectError(result, status) {
  assert.equal(result.status, status, `expected ${status}, got ${result.status}: ${JSON.stringify(result.data)}`);
  shape("Errors", result.data);
  assertErrors(result.data, status);
}

await scenario("platform", [
  ["get me", async () => {
    const { status, data } = await users.getMyUser(admin);
    assert.equal(status, 200);
    shape("User", data);
    assert.ok(data.assignedRoles.some(r => r.name === "TenantAdmin"), `the caller is not a TenantAdmin: ${JSON.stringify(data.assignedRoles)}`);
    state.me = data;
  }],

  ["create users with subject, name, email and roles", async () => {
    for (const [n, roles] of [["ann", [{ name: "Developer" }]], ["bob", []], ["cid", [{ name: "DataAdmin" }]]]) {
      const subject = `${prefix}-${n}`;
      const { status, data, headers } = await users.createUser({ subject, name: subject, email: `${subject}@example.test`, assignedRoles: roles }, admin);
      assert.equal(status, 201);
      shape("User", data);
      assert.equal(data.subject, subject);
      assert.equal(data.name, subject);
      assert.equal(data.email, `${subject}@example.test`);
      assert.equal(data.tenantId, state.me.tenantId);
      assert.deepEqual(data.assignedRoles.map(r => r.name).sort(), roles.map(r => r.name).sort());
      assert.ok(headers.get("location")?.endsWith(`/api/v1/users/${data.id}`), `Location ${headers.get("location")}`);
      state.users.push(data);
    }
  }],

  ["a duplicate subject is a 409", async () => {
    const subject = state.users[0].subject;
    expectError(await failure(users.createUser({ subject, name: "again" }, admin)), 409);
  }],

  ["list users, sorted, following next", async () => {
    const seen = [];
    let page = await users.getUsers({ limit: 2, sort: "+name", totalResults: true }, admin);
    const total = page.data.totalResults;
    for (let pages = 1; ; pages++) {
      assert.equal(page.status, 200);
      shape("Users", page.data);
      seen.push(...page.data.data);
      if (!page.next) {
        break;
      }
      assert.ok(pages < 100, "paging does not end");
      page = await page.next(admin);
    }
    assert.equal(seen.length, total);
    const names = seen.map(u => u.name);
    assert.deepEqual(names, [...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)), `not sorted by name: ${names}`);
    for (const created of state.users) {
      assert.ok(seen.some(u => u.id === created.id), `${created.subject} not listed`);
    }
    const one = await users.getUser(state.users[0].id, {}, admin);
    shape("User", one.data);
    assert.equal(one.data.subject, state.users[0].subject);
  }],

  ["count and filter users, following next with the same body", async () => {
    const counted = await users.countUsers({ filter: `subject sw "${prefix}-"` }, admin);
    assert.equal(counted.status, 200);
    shape("UserCount", counted.data);
    assert.equal(counted.data.total, state.users.length);
    const all = await users.countUsersWithoutQuery(admin);
    assert.ok(all.data.total >= state.users.length + 1, `count without a filter: ${all.data.total}`);

    const seen = [];
    let page = await users.filterUsers({ limit: 1, sort: "-name" }, { filter: `subject sw "${prefix}-" and status eq "active"` }, admin);
    for (let pages = 1; ; pages++) {
      assert.equal(page.status, 200);
      shape("Users", page.data);
      seen.push(...page.data.data);
      if (!page.next) {
        break;
      }
      assert.ok(pages < 100, "paging does not end");
      page = await page.next(admin);
    }
    assert.deepEqual(seen.map(u => u.id).sort(), state.users.map(u => u.id).sort());
    expectError(await failure(users.filterUsers({}, { filter: "subject eq" }, admin)), 400);
  }],

  ["patch a user's name and roles, and delete a user", async () => {
    const bob = state.users[1];
    const patched = await users.patchUser(bob.id, [
      { op: "replace", path: "/name", value: `${bob.subject}-renamed` },
      { op: "replace", path: "/assignedRoles", value: [{ name: "Developer" }] },
    ], admin);
    assert.equal(patched.status, 204);
    const { data } = await users.getUser(bob.id, {}, admin);
    shape("User", data);
    assert.equal(data.name, `${bob.subject}-renamed`);
    assert.deepEqual(data.assignedRoles.map(r => r.name), ["Developer"]);

    const subject = `${prefix}-gone`;
    const gone = await users.createUser({ subject, name: subject }, admin);
    assert.equal((await users.deleteUser(gone.data.id, admin)).status, 204);
    expectError(await failure(users.getUser(gone.data.id, {}, admin)), 404);
  }],

  ["mint an API key for another user and call as that user", async () => {
    const ann = state.users[0];
    const { status, data } = await apiKeys.createApiKey({ description: `${prefix} key`, sub: ann.id }, admin);
    assert.equal(status, 201);
    shape("ApiKeyWithToken", data);
    assert.equal(data.sub, ann.id);
    assert.equal(data.createdByUser, state.me.id);
    assert.equal(data.status, "active");
    state.key = data;
    // A second client, bound to the member's key.
    state.member = createQlikApi({ hostConfig: hostConfig(data.token) });

    const me = await state.member.users.getMyUser(fresh);
    shape("User", me.data);
    assert.equal(me.data.id, ann.id);

    const fetched = await apiKeys.getApiKey(data.id, admin);
    shape("ApiKey", fetched.data);
    assert.ok(!("token" in fetched.data), "a stored key's token is shown again");
    const listed = await apiKeys.getApiKeys({ sub: ann.id }, admin);
    shape("ApiKeyPage", listed.data);
    assert.deepEqual(listed.data.data.map(k => k.id), [data.id]);
    assert.ok(listed.data.data.every(k => !("token" in k)), "a list shows tokens");

    const renamed = await apiKeys.patchApiKey(data.id, [{ op: "replace", path: "/description", value: `${prefix} renamed` }], admin);
    assert.equal(renamed.status, 204);
    assert.equal((await apiKeys.getApiKey(data.id, admin)).data.description, `${prefix} renamed`);
    const config = await apiKeys.getApiKeysConfig(state.me.tenantId, admin);
    assert.equal(config.status, 200);
    assert.equal(typeof config.data.max_api_key_expiry, "string");
    assert.equal(typeof config.data.max_keys_per_user, "number");

    // A second key, so the admin's list has two pages of one.
    const second = await apiKeys.createApiKey({ description: `${prefix} second`, sub: ann.id }, admin);
    let page = await apiKeys.getApiKeys({ sub: ann.id, limit: 1 }, admin);
    const ids = [];
    for (let pages = 1; ; pages++) {
      shape("ApiKeyPage", page.data);
      ids.push(...page.data.data.map(k => k.id));
      if (!page.next) {
        break;
      }
      assert.ok(pages < 10, "paging does not end");
      page = await page.next(admin);
    }
    assert.deepEqual(ids.sort(), [data.id, second.data.id].sort());
    assert.equal((await apiKeys.deleteApiKey(second.data.id, admin)).status, 204);
  }],

  ["space types", async () => {
    const { data } = await spaces.getSpaceTypes(admin);
    shape("SpaceTypes", data);
    assert.deepEqual([...data.data].sort(), ["data", "managed", "shared"]);
  }],

  ["create shared, managed and data spaces", async () => {
    for (const type of ["shared", "managed", "data"]) {
      const { status, data } = await spaces.createSpace({ name: `${prefix}-${type}`, type, description: `${type} space` }, admin);
      assert.equal(status, 201);
      shape("Space", data);
      assert.equal(data.type, type);
      assert.equal(data.name, `${prefix}-${type}`);
      assert.equal(data.description, `${type} space`);
      assert.equal(data.ownerId, state.me.id);
      assert.ok(data.meta.actions.includes("update"), `actions ${data.meta.actions}`);
      state.spaces[type] = data;
    }
    const listed = await spaces.getSpaces({ name: prefix, sort: "+name" }, admin);
    shape("Spaces", listed.data);
    assert.deepEqual(listed.data.data.map(s => s.type), ["data", "managed", "shared"]);
    const typed = await spaces.getSpaces({ name: prefix, type: "shared,managed", sort: "-name" }, admin);
    assert.deepEqual(typed.data.data.map(s => s.type), ["shared", "managed"]);

    // Pages of one, forward with next and back with prev.
    const first = await spaces.getSpaces({ name: prefix, sort: "+name", limit: 1 }, admin);
    const middle = await first.next(admin);
    const last = await middle.next(admin);
    shape("Spaces", last.data);
    assert.deepEqual([first, middle, last].map(p => p.data.data[0].type), ["data", "managed", "shared"]);
    assert.equal(last.next, undefined);
    const back = await last.prev(admin);
    assert.deepEqual(back.data.data.map(s => s.id), middle.data.data.map(s => s.id));
    const one = await spaces.getSpace(state.spaces.shared.id, admin);
    shape("Space", one.data);
    assert.equal(one.data.id, state.spaces.shared.id);
  }],

  ["bad space input is a 400", async () => {
    expectError(await failure(spaces.createSpace({ name: `${prefix}-bad`, type: "personal" }, admin)), 400);
    expectError(await raw("POST", "/api/v1/spaces", "{not json"), 400);
  }],

  ["a user without a role in a space does not see it", async () => {
    expectError(await failure(state.member.spaces.getSpace(state.spaces.shared.id, fresh)), 404);
  }],

  ["create, list, get and delete assignments", async () => {
    const space = state.spaces.shared;
    const ann = state.users[0];
    const { status, data } = await spaces.createSpaceAssignment(space.id, { type: "user", assigneeId: ann.id, roles: ["consumer", "dataconsumer"] }, admin);
    assert.equal(status, 201);
    shape("Assignment", data);
    assert.equal(data.assigneeId, ann.id);
    assert.equal(data.spaceId, space.id);
    assert.deepEqual([...data.roles].sort(), ["consumer", "dataconsumer"]);
    state.assignmentId = data.id;

    const listed = await spaces.getSpaceAssignments(space.id, {}, admin);
    shape("Assignments", listed.data);
    assert.ok(listed.data.data.some(a => a.id === data.id), "the assignment is not listed");
    const byAssignee = await spaces.getSpaceAssignments(space.id, { assigneeId: ann.id }, admin);
    assert.deepEqual(byAssignee.data.data.map(a => a.id), [data.id]);
    const one = await spaces.getSpaceAssignment(space.id, data.id, admin);
    shape("Assignment", one.data);
    assert.equal(one.data.id, data.id);
    const changed = await spaces.updateSpaceAssignment(space.id, data.id, { roles: ["dataconsumer", "consumer"] }, admin);
    shape("Assignment", changed.data);
    assert.deepEqual([...changed.data.roles].sort(), ["consumer", "dataconsumer"]);

    // Now the member sees the space, with the roles it was given, and may not manage it.
    const seen = await state.member.spaces.getSpace(space.id, fresh);
    shape("Space", seen.data);
    assert.deepEqual([...seen.data.meta.roles].sort(), ["consumer", "dataconsumer"]);
    expectError(await failure(state.member.spaces.patchSpace(space.id, [{ op: "replace", path: "/name", value: `${prefix}-taken` }], fresh)), 403);
    expectError(await failure(spaces.createSpaceAssignment(space.id, { type: "user", assigneeId: state.users[1].id, roles: ["consumer"] }, admin)
      .then(() => spaces.createSpaceAssignment(space.id, { type: "user", assigneeId: state.users[1].id, roles: ["consumer"] }, admin))), 409);

    const deleted = await spaces.deleteSpaceAssignment(space.id, data.id, admin);
    assert.equal(deleted.status, 204);
    expectError(await failure(spaces.getSpaceAssignment(space.id, data.id, admin)), 404);
    expectError(await failure(state.member.spaces.getSpace(space.id, fresh)), 404);
  }],

  ["patch and update a space", async () => {
    const space = state.spaces.managed;
    const patched = await spaces.patchSpace(space.id, [
      { op: "replace", path: "/name", value: `${prefix}-managed-renamed` },
      { op: "replace", path: "/description", value: "patched" },
    ], admin);
    assert.equal(patched.status, 200);
    shape("Space", patched.data);
    assert.equal(patched.data.name, `${prefix}-managed-renamed`);
    assert.equal(patched.data.description, "patched");
    const updated = await spaces.updateSpace(space.id, { name: `${prefix}-managed-2`, description: "updated" }, admin);
    shape("Space", updated.data);
    assert.equal(updated.data.name, `${prefix}-managed-2`);
    const again = await spaces.getSpace(space.id, admin);
    assert.equal(again.data.description, "updated");
    expectError(await failure(spaces.patchSpace(space.id, [{ op: "replace", path: "/name", value: state.spaces.shared.name }], admin)), 409);
  }],

  ["delete a space", async () => {
    const space = state.spaces.data;
    const deleted = await spaces.deleteSpace(space.id, admin);
    assert.equal(deleted.status, 204);
    expectError(await failure(spaces.getSpace(space.id, admin)), 404);
    expectError(await failure(spaces.deleteSpace(space.id, admin)), 404);
  }],

  ["revoke the key: the member's calls are refused", async () => {
    const revoked = await apiKeys.deleteApiKey(state.key.id, admin);
    assert.equal(revoked.status, 204);
    const after = await apiKeys.getApiKey(state.key.id, admin);
    shape("ApiKey", after.data);
    assert.equal(after.data.status, "revoked");
    const refused = await raw("GET", "/api/v1/users/me", undefined, state.key.token);
    assert.equal(refused.status, 401);
    assertErrors(refused.data, 401);
  }],

  ["the shapes reject what the types forbid", async () => {
    assert.throws(() => shape("User", { id: "x", name: "x" }), /must have required property 'subject'/);
    assert.throws(() => shape("Space", { ...state.spaces.shared, type: "personal" }), /must be equal to one of the allowed values/);
    assert.throws(() => shape("Assignment", { ...(state.spaces.shared), roles: ["owner"] }), /must have required property/);
  }],
]);
