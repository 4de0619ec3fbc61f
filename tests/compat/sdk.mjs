// Qlik's JavaScript Platform SDK, @qlik/sdk, against Connectory: the users, spaces (and assignments) and api-keys
// lists paged the SDK's way, and its generic REST call over /api/v1/data-connections.
//
// The SDK's lists follow `links.next.href` and append the list's query again (`&limit=N&...`, limit 100 when none
// was given), so every page after the first carries repeated parameters; the service takes the first of each.
import assert from "node:assert/strict";
import Qlik, { AuthType } from "@qlik/sdk";
import { apiKey, assertErrors, baseUrl, scenario, unique } from "./lib/env.mjs";
import { shape } from "./lib/shapes.mjs";

const qlik = new Qlik({ authType: AuthType.APIKey, host: baseUrl, apiKey });
const prefix = unique("sdk");
const statement = `CUSTOM CONNECT TO "provider=QvOdbcConnectorPackage.exe;driver=postgres;host=db.example.test;port=5432;db=sales;"`;
const state = { me: null, users: [], spaces: [], keys: [], space: null, connection: null };

// Every URL the SDK fetched, so a test can see what the next-page requests looked like.
const fetched = [];
qlik.auth.rest.interceptors.response.use(response => {
  fetched.push(response.url);
  return response;
});

/**
 * Walks a ListableResource with the SDK's own async iterator, and returns the items and the URLs of the pages it
 * fetched after the first.
 */
async function drain(listable) {
  const from = fetched.length;
  const items = [];
  for await (const item of listable.pagination) {
    items.push(item);
    assert.ok(items.length < 1000, "paging does not end");
  }
  return { items, followed: fetched.slice(from) };
}

/** The items are the expected ones, each once, in the given order when one is given. */
function assertSameItems(items, expectedIds, label) {
  const ids = items.map(i => i.id);
  assert.equal(new Set(ids).size, ids.length, `${label}: an item was listed twice: ${ids}`);
  assert.deepEqual([...ids].sort(), [...expectedIds].sort(), `${label}: items skipped or extra`);
}

/** Every user of the tenant, each once: as many as the list's totalResults, the ones this scenario made among them. */
async function assertAllUsers(items) {
  const { totalResults } = await (await qlik.rest("/users?limit=1&totalResults=true")).json();
  const ids = items.map(u => u.id);
  assert.equal(new Set(ids).size, ids.length, `a user was listed twice: ${ids}`);
  assert.equal(ids.length, totalResults, "users skipped or extra");
  for (const id of [state.me.id, ...state.users.map(u => u.id)]) {
    assert.ok(ids.includes(id), `user ${id} not listed`);
  }
}

/** Pages after the first came from links.next (whose token is `token`) with the SDK's repeated limit appended. */
function assertFollowedWithRepeatedLimit(followed, pages, limit, label, token = "next") {
  assert.equal(followed.length, pages - 1, `${label}: ${followed.length + 1} pages fetched, expected ${pages}: ${followed}`);
  for (const url of followed) {
    const query = new URL(url).searchParams;
    assert.ok(query.get(token), `${label}: a followed page without a ${token} token: ${url}`);
    assert.deepEqual(query.getAll("limit"), [String(limit), String(limit)], `${label}: the SDK did not repeat limit: ${url}`);
  }
}

/** An SDK resource object as the plain body it was made from, for the shape checks. */
function plain(resource) {
  return Object.fromEntries(Object.entries(resource).filter(([k, v]) => k !== "auth" && v !== undefined));
}

function byName(a, b) {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** A call through the SDK that must fail; returns its status and error body. */
async function failure(promise) {
  try {
    await promise;
  } catch (error) {
    assert.equal(typeof error.status, "number", `not an HTTP error: ${error?.stack ?? error}`);
    return error;
  }
  assert.fail("expected an error");
}

await scenario("sdk", [
  ["get me", async () => {
    const me = await qlik.users.getMe();
    assert.ok(me.assignedRoles.some(r => r.name === "TenantAdmin"), `the caller is not a TenantAdmin: ${JSON.stringify(me.assignedRoles)}`);
    assert.equal(typeof me.tenantId, "string");
    state.me = me;
  }],

  ["create seven users", async () => {
    for (const n of ["g", "c", "e", "a", "f", "b", "d"]) {
      const subject = `${prefix}-${n}`;
      const user = await qlik.users.create({ subject, name: subject, email: `${subject}@example.test` });
      assert.equal(user.subject, subject);
      assert.equal(user.tenantId, state.me.tenantId);
      state.users.push(user);
    }
  }],

  ["the users list with the SDK's default query", async () => {
    const { items } = await drain(await qlik.users.getUsers());
    for (const user of items) {
      shape("User", plain(user));
    }
    await assertAllUsers(items);
  }],

  ["users paged three at a time, sorted by name", async () => {
    const { items, followed } = await drain(await qlik.users.getUsers({ limit: 3, sort: "+name" }));
    await assertAllUsers(items);
    assert.deepEqual(items.map(u => u.name), [...items].sort(byName).map(u => u.name), "users not sorted by name");
    assertFollowedWithRepeatedLimit(followed, Math.ceil(items.length / 3), 3, "users");
  }],

  ["users paged one at a time, sorted by subject descending", async () => {
    const { items, followed } = await drain(await qlik.users.getUsers({ limit: 1, sort: "-subject" }));
    await assertAllUsers(items);
    const subjects = items.map(u => u.subject);
    assert.deepEqual(subjects, [...subjects].sort().reverse(), "users not sorted by subject descending");
    assertFollowedWithRepeatedLimit(followed, items.length, 1, "users");
  }],

  ["a user patched and deleted through the SDK's user object", async () => {
    const [user] = state.users.splice(state.users.length - 1, 1);
    await user.patch([{ op: "replace", path: "/name", value: `${user.subject}-renamed` }]);
    assert.equal((await qlik.users.get(user.id)).name, `${user.subject}-renamed`);
    await user.delete();
    const error = await failure(qlik.users.get(user.id));
    assert.equal(error.status, 404);
  }],

  ["create five shared spaces", async () => {
    for (const n of ["e", "b", "d", "a", "c"]) {
      const space = await qlik.spaces.create({ name: `${prefix}-${n}`, type: "shared", description: "paged by the SDK" });
      assert.equal(space.name, `${prefix}-${n}`);
      assert.equal(space.type, "shared");
      state.spaces.push(space);
    }
  }],

  ["spaces paged two at a time, by name", async () => {
    const { items, followed } = await drain(await qlik.spaces.getSpaces({ name: prefix, limit: 2, sort: "+name" }));
    assertSameItems(items, state.spaces.map(s => s.id), "spaces");
    assert.deepEqual(items.map(s => s.name), ["a", "b", "c", "d", "e"].map(n => `${prefix}-${n}`));
    assertFollowedWithRepeatedLimit(followed, 3, 2, "spaces");
    for (const space of items) {
      shape("Space", plain(space));
    }
  }],

  ["assignments of a space paged two at a time", async () => {
    const space = state.spaces[0];
    const assigned = [];
    for (const user of state.users) {
      const assignment = await space.createAssignment({ type: "user", assigneeId: user.id, roles: ["consumer"] });
      assert.equal(assignment.assigneeId, user.id);
      assigned.push(assignment.id);
    }
    const { items, followed } = await drain(await space.getAssignments({ limit: 2 }));
    assertSameItems(items, assigned, "assignments");
    assertFollowedWithRepeatedLimit(followed, Math.ceil(assigned.length / 2), 2, "assignments");
    await space.deleteAssignment(assigned[0]);
    const after = await drain(await space.getAssignments({ limit: 2 }));
    assertSameItems(after.items, assigned.slice(1), "assignments after a delete");
  }],

  ["a space patched and deleted through the SDK's space object", async () => {
    const space = state.spaces.pop();
    await space.patch([{ op: "replace", path: "/description", value: "patched by the SDK" }]);
    assert.equal((await qlik.spaces.get(space.id)).description, "patched by the SDK");
    await space.delete();
    const error = await failure(qlik.spaces.get(space.id));
    assert.equal(error.status, 404);
  }],

  ["mint five API keys for a user", async () => {
    const owner = state.users[0];
    for (let i = 0; i < 5; i++) {
      const key = await qlik.apiKeys.create({ description: `${prefix} key ${i}`, sub: owner.id });
      assert.equal(typeof key.token, "string");
      assert.equal(key.sub, owner.id);
      state.keys.push(key);
    }
  }],

  ["API keys paged two at a time, newest first", async () => {
    const owner = state.users[0];
    const { items, followed } = await drain(await qlik.apiKeys.getApiKeys({ sub: owner.id, limit: 2, sort: "-created" }));
    assertSameItems(items, state.keys.map(k => k.id), "api-keys");
    const created = items.map(k => k.created);
    assert.deepEqual(created, [...created].sort().reverse(), "api keys not sorted newest first");
    assertFollowedWithRepeatedLimit(followed, 3, 2, "api-keys", "startingAfter");
    for (const key of items) {
      shape("ApiKey", plain(key));
    }
  }],

  ["an API key revoked through the SDK's key object", async () => {
    const key = await qlik.apiKeys.get(state.keys[0].id);
    await key.delete();
    assert.equal((await qlik.apiKeys.get(key.id)).status, "revoked");
    const { items } = await drain(await qlik.apiKeys.getApiKeys({ sub: state.users[0].id, status: "active", limit: 2 }));
    assertSameItems(items, state.keys.slice(1).map(k => k.id), "active api-keys");
  }],

  ["rest: create a data connection", async () => {
    state.space = state.spaces[1];
    const response = await qlik.rest("/data-connections", {
      method: "POST",
      body: JSON.stringify({
        qName: `${prefix}-conn`,
        qType: "QvOdbcConnectorPackage.exe",
        qConnectStatement: statement,
        datasourceID: "postgres",
        space: state.space.id,
        qUsername: "reader",
        qPassword: "s3cret-value",
        tags: ["sdk"],
      }),
    });
    assert.equal(response.status, 201);
    const created = await response.json();
    assert.equal(created.qName, `${prefix}-conn`);
    assert.equal(created.space, state.space.id);
    assert.ok(!("qPassword" in created), "the create response carries the password");
    assert.ok(response.headers.get("location")?.endsWith(`/api/v1/data-connections/${created.qID}`), `Location ${response.headers.get("location")}`);
    state.connection = created;
  }],

  ["rest: get it by id", async () => {
    const response = await qlik.rest(`/data-connections/${state.connection.qID}`);
    assert.equal(response.status, 200);
    const got = await response.json();
    assert.equal(got.qID, state.connection.qID);
    assert.equal(got.qName, `${prefix}-conn`);
    assert.deepEqual(got.tags, ["sdk"]);
  }],

  ["rest: list the space's connections, following next with limit appended as the SDK's lists do", async () => {
    for (const n of ["b", "a", "c"]) {
      const response = await qlik.rest("/data-connections", {
        method: "POST",
        body: JSON.stringify({
          qName: `${prefix}-${n}`, qType: "QvOdbcConnectorPackage.exe", qConnectStatement: statement, datasourceID: "postgres", space: state.space.id,
        }),
      });
      assert.equal(response.status, 201);
    }
    const query = new URLSearchParams({ spaceId: state.space.id, sort: "+qName", limit: "1", noDatafiles: "true" });
    let page = await (await qlik.rest(`/data-connections?${query}`)).json();
    const names = page.data.map(c => c.qName);
    for (let pages = 1; page.links.next; pages++) {
      assert.ok(pages < 20, "paging does not end");
      page = await (await qlik.rest(`${page.links.next.href}&limit=1`)).json();
      names.push(...page.data.map(c => c.qName));
    }
    assert.deepEqual(names, ["a", "b", "c", "conn"].map(n => `${prefix}-${n}`));
  }],

  ["rest: patch it", async () => {
    const response = await qlik.rest(`/data-connections/${state.connection.qID}`, {
      method: "PATCH",
      body: JSON.stringify([
        { op: "replace", path: "/qName", value: `${prefix}-renamed` },
        { op: "add", path: "/tags/-", value: "patched" },
      ]),
    });
    assert.equal(response.status, 204);
    const got = await (await qlik.rest(`/data-connections/${state.connection.qID}`)).json();
    assert.equal(got.qName, `${prefix}-renamed`);
    assert.deepEqual(got.tags, ["sdk", "patched"]);
  }],

  ["rest: an invalid patch is a 400 in the API's error shape", async () => {
    const error = await failure(qlik.rest(`/data-connections/${state.connection.qID}`, {
      method: "PATCH",
      body: JSON.stringify([{ op: "replace", path: "/qID", value: "other" }]),
    }));
    assert.equal(error.status, 400);
    assertErrors({ errors: error.errors }, 400);
  }],

  ["rest: delete it; then it is a 404", async () => {
    const response = await qlik.rest(`/data-connections/${state.connection.qID}`, { method: "DELETE" });
    assert.equal(response.status, 204);
    const error = await failure(qlik.rest(`/data-connections/${state.connection.qID}`));
    assert.equal(error.status, 404);
    assertErrors({ errors: error.errors }, 404);
  }],
]);
