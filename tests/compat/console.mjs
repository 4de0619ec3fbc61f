// The web console at /console in a real browser (Debian's chromium through playwright-core): sign in, the list with
// spaces, search, sort and paging, create from the catalog, edit (a refused target change included), duplicate, move,
// delete, the admin pages, a read-only user, at 1280 and 390 px wide. axe-core checks every page (no serious or
// critical violation), and no request may leave the server's origin.
import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { chromium } from "playwright-core";
import { baseUrl, apiKey } from "./lib/env.mjs";

// A JWT from the issuer the test's server trusts (for the default tenant's admin); without one, that step is skipped.
const jwt = process.env.CONNECTORY_CONSOLE_JWT || "";

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const shots = process.env.CONNECTORY_CONSOLE_SHOTS || path.join(os.tmpdir(), "connectory-console");
mkdirSync(shots, { recursive: true });
const origin = new URL(baseUrl).origin;
const prefix = `ui${Date.now().toString(36)}`;
const started = Date.now();
const figures = {};

// ---- set-up through the API, as a script would ----
async function api(method, url, body, key = apiKey) {
  const response = await fetch(baseUrl + url, {
    method,
    headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  assert.ok(response.ok, `${method} ${url}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

const sales = await api("POST", "/api/v1/spaces", { name: `${prefix} Sales`, type: "shared" });
const archive = await api("POST", "/api/v1/spaces", { name: `${prefix} Archive`, type: "shared" });
await Promise.all(Array.from({ length: 12 }, (_, i) => api("POST", "/api/v1/data-connections", {
  qName: `${prefix}-page-${String(i + 1).padStart(2, "0")}`, qType: "QvOdbcPostgres.exe", datasourceID: "postgres", space: sales.id,
  qConnectStatement: `CUSTOM CONNECT TO "provider=QvOdbcPostgres.exe;host=db${i}.example;port=5432;"`,
})));
const reader = await api("POST", "/api/v1/users", { subject: `${prefix}-reader`, name: `${prefix} Reader` });
await api("POST", `/api/v1/spaces/${sales.id}/assignments`, { type: "user", assigneeId: reader.id, roles: ["dataconsumer"] });
// Only a consumer here: the space shows (for its apps), none of its connections do.
await api("POST", `/api/v1/spaces/${archive.id}/assignments`, { type: "user", assigneeId: reader.id, roles: ["consumer"] });
const readerKey = (await api("POST", "/api/v1/api-keys", { description: "console reader", sub: reader.id })).token;
// A personal connection with an embedded credential (the admin's, in use) and a credential no connection uses.
const withCredential = await api("POST", "/api/v1/data-connections", {
  qName: `${prefix}-with-credential`, qType: "QvOdbcPostgres.exe", datasourceID: "postgres", qUsername: "etl", qPassword: "Cred-Pass-1",
  qConnectStatement: 'CUSTOM CONNECT TO "provider=QvOdbcPostgres.exe;host=etl.example;port=5432;"',
});
const orphanId = crypto.randomUUID();
await api("PUT", `/api/v1/data-credentials/${orphanId}`, { qName: `${prefix}-orphan`, qType: "QvOdbcPostgres.exe", qUsername: "old", qPassword: "Orphan-Pass-1" });

// ---- the browser ----
const browser = await chromium.launch({
  executablePath: process.env.CONNECTORY_CHROMIUM || "/usr/bin/chromium",
  headless: true,
  args: process.getuid?.() === 0 ? ["--no-sandbox"] : [],
});
const offHost = [];
const keyInUrl = [];
const pageErrors = [];

async function newPage(viewport) {
  const context = await browser.newContext({ viewport, bypassCSP: false });
  const page = await context.newPage();
  pages.push(page);
  page.setDefaultTimeout(8000);
  page.on("request", (request) => {
    const url = request.url();
    if (!url.startsWith("data:") && new URL(url).origin !== origin) offHost.push(url);
    if (url.includes(apiKey) || url.includes(readerKey) || (jwt && url.includes(jwt))) keyInUrl.push(url);
  });
  page.on("pageerror", (error) => pageErrors.push(error.message));
  page.on("console", (message) => {
    if (message.type() === "error" && /Content Security Policy|Refused to/i.test(message.text())) pageErrors.push(message.text());
  });
  return page;
}

/** axe-core on the page as it is now; evaluated through the debugger protocol, which the page's CSP does not govern. */
async function checkA11y(page, name) {
  if (!(await page.evaluate(() => typeof window.axe === "object"))) await page.evaluate(axeSource);
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
  const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  assert.deepEqual(bad.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join(", ")})`), [], `axe on ${name}`);
}

let shotNumber = 0;
async function visit(page, name) {
  await checkA11y(page, name);
  await page.screenshot({ path: path.join(shots, `${String(++shotNumber).padStart(2, "0")}-${name}.png`), fullPage: true });
}

const heading = (page) => page.locator("main h1");
const rows = (page) => page.locator("table.connections tbody tr[data-id]");
const rowNames = async (page) => (await rows(page).locator("td[data-label=Name] a").allTextContents());

async function signIn(page, key) {
  await page.locator("#api-key").fill(key);
  await page.getByRole("button", { name: "Sign in" }).click();
  await heading(page).filter({ hasText: "Connections" }).waitFor();
}

const pages = [];
async function step(name, body) {
  const at = Date.now();
  try {
    await body();
  } catch (error) {
    // The state the step failed in, for whoever reads the failure.
    for (const [i, open] of pages.entries()) await open.screenshot({ path: path.join(shots, `failed-${i}.png`), fullPage: true }).catch(() => {});
    console.log(`FAILED  ${name}; screenshots of the failure in ${shots}`);
    throw error;
  }
  console.log(`ok  ${name} (${Date.now() - at} ms)`);
}

try {
  const page = await newPage({ width: 1280, height: 800 });

  await step("first load: bytes and time to the sign-in form", async () => {
    let bytes = 0;
    const counted = [];
    const count = async (response) => {
      if (new URL(response.url()).pathname.startsWith("/console")) {
        const body = await response.body().catch(() => Buffer.alloc(0));
        bytes += body.length;
        counted.push(response.url());
      }
    };
    page.on("response", count);
    const at = Date.now();
    await page.goto(`${baseUrl}/console`);
    await page.locator("#api-key").waitFor();
    figures.signInReadyMs = Date.now() - at;
    await page.waitForLoadState("networkidle");
    page.off("response", count);
    const [paint, ready] = await page.evaluate(() => ["first-contentful-paint", "console:first-render"]
      .map((name) => performance.getEntriesByName(name)[0]?.startTime ?? null));
    figures.firstContentfulPaintMs = paint === null ? null : Math.round(paint);
    figures.firstRenderMs = ready === null ? null : Math.round(ready);
    figures.firstLoadBytes = bytes;
    figures.firstLoadFiles = counted.length;
    assert.ok(await page.locator("#api-key").evaluate((e) => e === document.activeElement), "the key field has focus");
    await visit(page, "sign-in");
  });

  await step("sign in and open a connection with the keyboard only", async () => {
    await page.keyboard.type(apiKey);
    await page.keyboard.press("Enter");
    await heading(page).filter({ hasText: "Connections" }).waitFor();
    assert.ok(!page.url().includes(apiKey), "the key is not in the URL");
    assert.equal(await page.evaluate(() => sessionStorage.getItem("connectory.apiKey")), apiKey);
    await page.locator(".identity").filter({ hasText: "TenantAdmin" }).waitFor();
    await rows(page).first().waitFor();
    let found = false;
    for (let i = 0; i < 80 && !found; i++) {
      await page.keyboard.press("Tab");
      found = await page.evaluate(() => document.activeElement?.matches("table.connections tbody td[data-label=Name] a") ?? false);
    }
    assert.ok(found, "Tab reaches a connection's link");
    const name = await page.evaluate(() => document.activeElement.textContent);
    await page.keyboard.press("Enter");
    await heading(page).filter({ hasText: name }).waitFor();
    assert.ok(await heading(page).evaluate((e) => e === document.activeElement), "the new page's heading has focus");
    await page.goBack();
    await heading(page).filter({ hasText: "Connections" }).waitFor();
  });

  await step("spaces, search, paging and sort", async () => {
    // An empty space lists its DataFiles connection only, marked, with no action.
    await page.locator(".space-list a").filter({ hasText: `${prefix} Archive` }).click();
    await heading(page).filter({ hasText: `${prefix} Archive` }).waitFor();
    await page.locator("#list-status").filter({ hasText: "1 connection;" }).waitFor();
    assert.deepEqual(await rowNames(page), ["DataFiles"]);
    await rows(page).locator(".badge").filter({ hasText: "Data files" }).waitFor();
    assert.equal(await rows(page).locator("button, a.button, input").count(), 0, "DataFiles offers no action");
    const spaceLink = page.locator(".space-list a").filter({ hasText: `${prefix} Sales` });
    assert.match(await spaceLink.textContent(), /Shared/);
    await spaceLink.click();
    await heading(page).filter({ hasText: `${prefix} Sales` }).waitFor();
    await page.getByLabel("Rows per page").selectOption("5");
    await page.getByLabel("Search by name").fill(`${prefix}-page`);
    await page.getByRole("button", { name: "Search", exact: true }).click();
    await page.locator("#list-status").filter({ hasText: "12 connections" }).waitFor();
    assert.deepEqual(await rowNames(page), [1, 2, 3, 4, 5].map((n) => `${prefix}-page-0${n}`));
    await visit(page, "connections");
    await page.getByRole("button", { name: "Next page" }).click();
    await page.locator("#list-status").filter({ hasText: "page 2" }).waitFor();
    assert.deepEqual(await rowNames(page), [6, 7, 8, 9, 10].map((n) => `${prefix}-page-${String(n).padStart(2, "0")}`));
    await page.getByRole("button", { name: "Next page" }).click();
    await page.locator("#list-status").filter({ hasText: "page 3" }).waitFor();
    assert.deepEqual(await rowNames(page), [`${prefix}-page-11`, `${prefix}-page-12`]);
    assert.ok(await page.getByRole("button", { name: "Next page" }).isDisabled(), "no page after the last");
    await page.getByRole("button", { name: "Previous page" }).click();
    await page.locator("#list-status").filter({ hasText: "page 2" }).waitFor();
    assert.equal((await rowNames(page))[0], `${prefix}-page-06`);
    await page.locator("th button.sort").filter({ hasText: "Name" }).click();
    await page.locator("th[aria-sort=descending]").filter({ hasText: "Name" }).waitFor();
    await page.locator("#list-status").filter({ hasText: "page 1" }).waitFor();
    assert.equal((await rowNames(page))[0], `${prefix}-page-12`);
  });

  let created = `${prefix}-warehouse`;
  await step("create from the catalog, with the API's errors next to their fields", async () => {
    await page.getByRole("link", { name: "New connection" }).click();
    await heading(page).filter({ hasText: "New connection" }).waitFor();
    await page.getByLabel("Data source").selectOption("postgres");
    await page.getByLabel("Connection name").fill(created);
    await page.getByLabel("host").fill("warehouse.example");
    await page.getByLabel("username").fill("loader");
    assert.equal(await page.getByLabel("password").getAttribute("type"), "password");
    assert.equal(await page.getByLabel("port").inputValue(), "5432", "the schema's default");
    assert.equal(await page.getByLabel("sslMode").inputValue(), "prefer");
    await page.getByRole("button", { name: "Create connection" }).click();
    await page.locator(".error-summary").waitFor();
    await page.locator("[data-field=database] .field-error").filter({ hasText: "required" }).waitFor();
    await page.locator("[data-field=password] .field-error").filter({ hasText: "required" }).waitFor();
    assert.equal(await page.getByLabel("database").getAttribute("aria-invalid"), "true");
    await visit(page, "create-errors");
    await page.getByLabel("database").fill("sales");
    await page.getByLabel("password").fill("Secret-Pass-1");
    await page.getByRole("button", { name: "Create connection" }).click();
    await heading(page).filter({ hasText: created }).waitFor();
    await page.locator("main").getByText("Connection created.").waitFor();
    assert.ok(!(await page.content()).includes("Secret-Pass-1"), "the password is never echoed back");
    await visit(page, "connection");
  });

  await step("create with a file property: the file is read in the browser, sent as base64 and never shown", async () => {
    const keyFile = JSON.stringify({ type: "service_account", private_key: "KEY-FILE-MARKER-42" });
    const sent = [];
    const watch = (request) => { if (request.method() === "POST" && request.url().endsWith("/api/v1/data-connections")) sent.push(request.postDataJSON()); };
    page.on("request", watch);
    await page.locator("#nav").getByRole("link", { name: "Connections" }).click();
    await page.getByRole("link", { name: "New connection" }).click();
    await page.getByLabel("Data source").selectOption("gbq");
    await page.getByLabel("Connection name").fill(`${prefix}-bigquery`);
    await page.getByLabel("projectId").fill("sales-123");
    await page.getByLabel("serviceAccountEmail").fill("loader@sales-123.example");
    assert.equal(await page.getByLabel("keyFile").getAttribute("type"), "file");
    await page.getByLabel("keyFile").setInputFiles({ name: "key.json", mimeType: "application/json", buffer: Buffer.from(keyFile) });
    await visit(page, "create-file");
    await page.getByRole("button", { name: "Create connection" }).click();
    await heading(page).filter({ hasText: `${prefix}-bigquery` }).waitFor();
    page.off("request", watch);
    assert.deepEqual(sent.at(-1).connectionProperties.keyFile, [{ name: "key.json", value: Buffer.from(keyFile).toString("base64") }]);
    const html = await page.content();
    assert.ok(!html.includes("KEY-FILE-MARKER-42") && !html.includes(Buffer.from(keyFile).toString("base64")), "the file's content is never shown");
  });

  await step("create with {name, value} pairs (REST query parameters), one name=value a line, read back the same", async () => {
    await page.locator("#nav").getByRole("link", { name: "Connections" }).click();
    await page.getByRole("link", { name: "New connection" }).click();
    await page.getByLabel("Data source").selectOption("rest");
    await page.getByLabel("Connection name").fill(`${prefix}-rest`);
    await page.getByLabel("url").fill("https://api.example/v1/orders");
    await page.getByLabel("queryParameters").fill("region=emea\nfilter=a=b");
    await page.getByRole("button", { name: "Create connection" }).click();
    await heading(page).filter({ hasText: `${prefix}-rest` }).waitFor();
    await page.locator("dd").filter({ hasText: "region, filter" }).waitFor();
    await page.getByRole("link", { name: "Edit", exact: true }).click();
    assert.equal(await page.getByLabel("queryParameters").inputValue(), "region=emea\nfilter=a=b");
    const id = decodeURIComponent(/#\/connections\/([^/]+)\/edit/.exec(page.url())[1]);
    const read = await api("GET", `/api/v1/data-connections/${id}?parseConnection=true`);
    assert.deepEqual(read.connectionProperties.queryParameters, [{ name: "region", value: "emea" }, { name: "filter", value: "a=b" }]);
  });

  await step("create from an OAuth source: sign in at the provider in a new tab, the code comes back by itself", async () => {
    await page.locator("#nav").getByRole("link", { name: "Connections" }).click();
    await page.getByRole("link", { name: "New connection" }).click();
    await page.getByLabel("Data source").selectOption("dropbox");
    await page.getByLabel("Connection name").fill(`${prefix}-dropbox`);
    await page.getByLabel("rootPath").fill("/reports");
    assert.equal(await page.locator("[data-field=state]").count(), 0, "the state is the flow's, not a field");
    const opened = page.context().waitForEvent("page");
    await page.getByRole("button", { name: "Sign in at Dropbox…" }).click();
    const provider = await opened;
    // The provider (a fake on loopback) consents at once and sends the browser back to the console's return page.
    await provider.locator("main h1").filter({ hasText: "Authorization received" }).waitFor();
    assert.match(provider.url(), /\/console\/oauth\/callback$/, "the code leaves the address bar");
    await visit(provider, "oauth-return");
    await provider.close();
    await page.locator(".authorization [role=status]").filter({ hasText: "the code is filled in" }).waitFor();
    await visit(page, "create-oauth");
    await page.getByRole("button", { name: "Create connection" }).click();
    await heading(page).filter({ hasText: `${prefix}-dropbox` }).waitFor();
    const id = decodeURIComponent(/#\/connections\/([^?]+)/.exec(page.url())[1]);
    const read = await fetch(`${baseUrl}/api/v1/data-connections/${id}?parseConnection=true`, { headers: { Authorization: `Bearer ${apiKey}` } });
    assert.equal(read.status, 200);
    assert.match(read.headers.get("connectory-oauth-token") ?? "", /^valid/, "the tokens were stored");
    assert.equal((await read.json()).connectionProperties.rootPath, "/reports");
  });

  await step("authorize an OAuth connection again from its edit page: the new code goes in the PATCH headers", async () => {
    await page.getByRole("link", { name: "Edit", exact: true }).click();
    await heading(page).filter({ hasText: `Edit ${prefix}-dropbox` }).waitFor();
    assert.equal(await page.locator("[data-field=state]").count(), 0, "no write-only field to patch");
    const patches = [];
    const watch = (request) => { if (request.method() === "PATCH") patches.push(request.headers()); };
    page.on("request", watch);
    const opened = page.context().waitForEvent("page");
    await page.getByRole("button", { name: "Sign in at Dropbox…" }).click();
    const provider = await opened;
    await provider.locator("main h1").filter({ hasText: "Authorization received" }).waitFor();
    await provider.close();
    await page.locator(".authorization [role=status]").filter({ hasText: "the code is filled in" }).waitFor();
    await page.getByRole("button", { name: "Save changes" }).click();
    await page.locator("main").getByText("Changes saved.").waitFor();
    page.off("request", watch);
    assert.equal(patches.length, 1);
    assert.ok(patches[0]["qlik-auth-code"] && patches[0]["qlik-auth-state"], "the code and state travel as headers");
  });

  await step("find it by search", async () => {
    await page.locator("main a").filter({ hasText: "← Connections" }).click();
    await heading(page).filter({ hasText: "Connections" }).waitFor();
    await page.getByLabel("Search by name").fill("warehouse");
    await page.getByLabel("Search by name").press("Enter");
    await page.locator("#list-status").filter({ hasText: "matching “warehouse”" }).waitFor();
    assert.deepEqual(await rowNames(page), [created]);
    await rows(page).locator("a").filter({ hasText: created }).click();
    await heading(page).filter({ hasText: created }).waitFor();
  });

  await step("edit: a target change without credentials is refused and explained, then saved with them", async () => {
    await page.getByRole("link", { name: "Edit", exact: true }).click();
    await heading(page).filter({ hasText: `Edit ${created}` }).waitFor();
    assert.equal(await page.getByLabel("password").inputValue(), "", "a secret is never filled in");
    await page.getByLabel("host").fill("warehouse2.example");
    await page.getByRole("button", { name: "Save changes" }).click();
    const summary = page.locator(".error-summary");
    await summary.filter({ hasText: "requires credentials in the same request" }).waitFor();
    await summary.filter({ hasText: "needs its credentials again" }).waitFor();
    await visit(page, "edit-refused");
    await page.getByLabel("password").fill("Secret-Pass-2");
    await page.getByRole("button", { name: "Save changes" }).click();
    await page.locator("main").getByText("Changes saved.").waitFor();
    await page.locator("dd").filter({ hasText: "warehouse2.example" }).first().waitFor();
  });

  await step("duplicate", async () => {
    await page.getByRole("button", { name: "Duplicate…" }).click();
    await page.locator("dialog").getByLabel("Name of the copy").fill(`${created}-copy`);
    await page.locator("dialog").getByRole("button", { name: "Duplicate" }).click();
    await heading(page).filter({ hasText: `${created}-copy` }).waitFor();
  });

  await step("move to another space, with the result per connection", async () => {
    await page.getByRole("button", { name: "Move…" }).click();
    const dialog = page.locator("dialog");
    await dialog.getByLabel("Target space").selectOption({ label: `${prefix} Archive (Shared)` });
    await dialog.getByLabel("New owner").selectOption({ label: `${prefix} Reader` });
    await checkA11y(page, "move dialog");
    await dialog.getByRole("button", { name: "Apply" }).click();
    await dialog.locator(".result-list li.ok").filter({ hasText: `${created}-copy` }).waitFor();
    await dialog.getByRole("button", { name: "Close" }).click();
    await page.locator("dd").filter({ hasText: `${prefix} Archive` }).waitFor();
    await page.locator("dd").filter({ hasText: `${prefix} Reader (${reader.id})` }).waitFor();
  });

  await step("delete, after a confirmation", async () => {
    await page.getByRole("button", { name: "Delete…" }).click();
    await page.locator("dialog").getByRole("button", { name: "Cancel" }).click();
    await heading(page).filter({ hasText: `${created}-copy` }).waitFor();
    await page.getByRole("button", { name: "Delete…" }).click();
    await checkA11y(page, "delete dialog");
    await page.locator("dialog").getByRole("button", { name: "Delete" }).click();
    await heading(page).filter({ hasText: "Connections" }).waitFor();
    const left = await api("GET", `/api/v1/data-connections?noDatafiles=true&filter=${encodeURIComponent(`qName eq "${created}-copy"`)}`);
    assert.equal(left.data.length, 0, "the copy is gone");
  });

  await step("bulk move from the list", async () => {
    await page.goto(`${baseUrl}/console#/connections?space=${sales.id}&q=${prefix}-page-1`);
    await page.locator("#list-status").filter({ hasText: "page 1" }).waitFor();
    assert.deepEqual(await rowNames(page), [10, 11, 12].map((n) => `${prefix}-page-${n}`));
    for (const name of [`${prefix}-page-10`, `${prefix}-page-11`]) await page.getByLabel(`Select ${name}`).check();
    await page.getByRole("button", { name: "Move selected (2)…" }).click();
    const dialog = page.locator("dialog");
    await dialog.getByLabel("Target space").selectOption({ label: `${prefix} Archive (Shared)` });
    await dialog.getByRole("button", { name: "Apply" }).click();
    await dialog.locator(".result-list li").nth(1).waitFor();
    assert.equal(await dialog.locator(".result-list li.ok").count(), 2);
    await dialog.getByRole("button", { name: "Close" }).click();
    await rows(page).filter({ hasText: `${prefix}-page-11` }).waitFor({ state: "detached" });
    assert.deepEqual(await rowNames(page), [`${prefix}-page-12`]);
  });

  await step("admin pages: data sources, users, API keys", async () => {
    await page.getByRole("link", { name: "Data sources" }).click();
    await heading(page).filter({ hasText: "Data sources" }).waitFor();
    await page.getByRole("button", { name: "Disable Snowflake" }).click();
    await page.getByRole("button", { name: "Enable Snowflake" }).waitFor();
    await page.getByRole("button", { name: "Enable Snowflake" }).click();
    await page.getByRole("button", { name: "Disable Snowflake" }).waitFor();
    await visit(page, "data-sources");
    await page.getByRole("link", { name: "Users" }).click();
    await page.locator("td").filter({ hasText: `${prefix}-reader` }).waitFor();
    await visit(page, "users");
    await page.getByRole("link", { name: "API keys" }).click();
    await heading(page).filter({ hasText: "API keys" }).waitFor();
    await page.getByLabel("Description").fill(`${prefix} script`);
    await page.getByRole("button", { name: "Create key" }).click();
    const token = await page.locator("dialog input.token").inputValue();
    assert.match(token, /^\S{20,}$/);
    await page.locator("dialog").getByRole("button", { name: "Copy" }).waitFor();
    await checkA11y(page, "new key dialog");
    await page.locator("dialog").getByRole("button", { name: "Done" }).click();
    await page.locator("td").filter({ hasText: `${prefix} script` }).waitFor();
    assert.ok(!(await page.content()).includes(token), "the key is shown once only");
    await visit(page, "api-keys");
  });

  await step("credentials: the caller's own with the connections using them, and the unused ones; each deleted after a confirmation", async () => {
    await page.getByRole("link", { name: "Credentials" }).click();
    await heading(page).filter({ hasText: "Credentials" }).waitFor();
    const own = page.locator(`table.credentials tr[data-id="${withCredential.qCredentialsID}"]`);
    await own.locator("td[data-label='Used by'] a").filter({ hasText: `${prefix}-with-credential` }).waitFor();
    const orphan = page.locator(`table.orphans tr[data-id="${orphanId}"]`);
    await orphan.filter({ hasText: `${prefix}-orphan` }).locator(".badge").filter({ hasText: "Unused" }).waitFor();
    assert.ok(!(await page.content()).includes("Cred-Pass-1"), "no secret on the page");
    await visit(page, "credentials");
    await orphan.getByRole("button", { name: `Delete credential ${prefix}-orphan` }).click();
    await page.locator("dialog").getByRole("button", { name: "Cancel" }).click();
    await orphan.waitFor();
    await orphan.getByRole("button", { name: `Delete credential ${prefix}-orphan` }).click();
    await page.locator("dialog").getByRole("button", { name: "Delete" }).click();
    await orphan.waitFor({ state: "detached" });
    await own.getByRole("button", { name: /^Delete credential / }).click();
    await page.locator("dialog").filter({ hasText: "1 connection uses it" }).waitFor();
    await checkA11y(page, "delete credential dialog");
    await page.locator("dialog").getByRole("button", { name: "Delete" }).click();
    await own.waitFor({ state: "detached" });
    const after = await api("GET", `/api/v1/data-connections/${withCredential.qID}`);
    assert.equal(after.qCredentialsID, undefined, "the connection no longer has the credential");
  });

  await step("sign out", async () => {
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.locator("#api-key").waitFor();
    assert.equal(await page.evaluate(() => sessionStorage.getItem("connectory.apiKey")), null);
  });

  await step("a reader (dataconsumer) sees the space's connections and no action to change them; a consumer sees none", async () => {
    await signIn(page, readerKey);
    await page.locator(".space-list a").filter({ hasText: `${prefix} Sales` }).click();
    await rows(page).first().waitFor();
    assert.ok(await rows(page).count() > 0);
    const table = page.locator("table.connections");
    assert.equal(await table.getByRole("link", { name: /^Edit / }).count(), 0, "no Edit in the list");
    assert.equal(await table.getByRole("button", { name: /^Delete / }).count(), 0, "no Delete in the list");
    assert.equal(await table.locator("input[type=checkbox]").count(), 0, "nothing to select for a move");
    await page.locator(".space-list a").filter({ hasText: `${prefix} Sales` }).filter({ hasText: "dataconsumer" }).waitFor();
    await visit(page, "reader-connections");
    await rows(page).first().locator("td[data-label=Name] a").click();
    await page.locator("dl.details").waitFor();
    for (const name of ["Edit", "Delete…", "Move…"]) {
      assert.equal(await page.locator("main").getByRole(name === "Edit" ? "link" : "button", { name, exact: true }).count(), 0, `no ${name}`);
    }
    assert.equal(await page.getByRole("link", { name: "Users" }).count(), 0, "no Users section");
    await page.locator("#nav").getByRole("link", { name: "Connections" }).click();
    await page.locator(".space-list a").filter({ hasText: `${prefix} Archive` }).filter({ hasText: "consumer" }).click();
    await heading(page).filter({ hasText: `${prefix} Archive` }).waitFor();
    await page.locator("table.connections td.empty").waitFor();
    assert.equal(await page.locator("table.connections tbody").locator("a, button, input").count(), 0, "a consumer is offered nothing");
  });

  await step("sign in with a JWT from a trusted issuer, kept like a key", async () => {
    if (!jwt) { console.log("    (no CONNECTORY_CONSOLE_JWT: skipped)"); return; }
    const other = await newPage({ width: 1280, height: 800 });
    await other.goto(`${baseUrl}/console`);
    await other.getByLabel("API key or JWT").fill("not-a-valid-token");
    await other.getByRole("button", { name: "Sign in" }).click();
    await other.locator("#sign-in-error").filter({ hasText: "not accepted" }).waitFor();
    await visit(other, "sign-in-refused-token");
    await signIn(other, jwt);
    await other.locator(".identity").filter({ hasText: "TenantAdmin" }).waitFor();
    assert.equal(await other.evaluate(() => sessionStorage.getItem("connectory.apiKey")), jwt);
    await other.getByRole("button", { name: "Sign out" }).click();
    await other.locator("#api-key").waitFor();
    assert.equal(await other.evaluate(() => sessionStorage.getItem("connectory.apiKey")), null);
    await other.close();
  });

  await step("phone width (390 px): the list, a connection, the create form and the credentials fit", async () => {
    const phone = await newPage({ width: 390, height: 844 });
    await phone.goto(`${baseUrl}/console`);
    await signIn(phone, apiKey);
    assert.ok(!(await phone.locator(".space-list").isVisible()), "the space list is folded on a phone");
    await phone.locator(".space-picker summary").click();
    await phone.locator(".space-list a").filter({ hasText: `${prefix} Sales` }).click();
    await rows(phone).first().waitFor();
    const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `no sideways scrolling (${overflow} px too wide)`);
    await visit(phone, "phone-connections");
    await rows(phone).first().locator("td[data-label=Name] a").click();
    await phone.locator("dl.details").waitFor();
    await visit(phone, "phone-connection");
    await phone.goto(`${baseUrl}/console#/connections/new?source=postgres`);
    await phone.getByLabel("host").waitFor();
    assert.ok(await phone.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth), "the form fits");
    await visit(phone, "phone-create");
    await phone.goto(`${baseUrl}/console#/credentials`);
    await heading(phone).filter({ hasText: "Credentials" }).waitFor();
    await phone.locator("table.credentials tbody tr").first().waitFor();
    assert.ok(await phone.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth), "the credentials fit");
    await visit(phone, "phone-credentials");
  });

  assert.deepEqual(offHost, [], "requests to another host");
  assert.deepEqual(keyInUrl, [], "a key in a URL");
  assert.deepEqual(pageErrors, [], "script errors or CSP violations");
} finally {
  await browser.close();
}

figures.totalSeconds = Math.round((Date.now() - started) / 100) / 10;
console.log(`first load: ${figures.firstLoadFiles} files, ${figures.firstLoadBytes} bytes; first contentful paint at ${figures.firstContentfulPaintMs} ms, ` +
  `sign-in form rendered at ${figures.firstRenderMs} ms after navigation start (${figures.signInReadyMs} ms as the test driver waited for it)`);
console.log(`screenshots: ${shots}`);
console.log(`console scenario passed in ${figures.totalSeconds} s`);
