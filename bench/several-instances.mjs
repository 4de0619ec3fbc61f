// The checks of bench/several-instances.sh: two Connectory instances on one PostgreSQL database, haproxy round-robin
// in front. Node's own fetch, no packages: the driver needs nothing but HTTP and JSON, starts in a blink and needs no
// build (a C# console would add a project and a build step to a script that only sends requests).
//
// Environment: PROXY, INSTANCE_A, INSTANCE_B (base URLs), ADMIN_KEY, TIER1, TIER2 (the configured per-minute limits),
// SIGN_IN_CACHE_SECONDS. Prints one block per check and exits 1 when a check fails.

const { PROXY, INSTANCE_A, INSTANCE_B, ADMIN_KEY } = process.env;
const TIER2 = Number(process.env.TIER2);
const SIGN_IN_CACHE_SECONDS = Number(process.env.SIGN_IN_CACHE_SECONDS);
const results = [];

async function call(base, key, method, path, body) {
  const response = await fetch(new URL(path, base), {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

function connection(name) {
  return {
    qName: name,
    qType: "QvRestConnector.exe",
    datasourceID: "rest",
    qConnectStatement: 'CUSTOM CONNECT TO "provider=QvRestConnector.exe;url=https://api.example.test/v1;method=GET;"',
  };
}

async function newUser(subject, roles = ["TenantAdmin"]) {
  const user = await call(PROXY, ADMIN_KEY, "POST", "/api/v1/users", {
    subject, name: subject, assignedRoles: roles.map((name) => ({ name })),
  });
  if (user.status !== 201) throw new Error(`creating user ${subject}: ${user.status} ${JSON.stringify(user.body)}`);
  const key = await call(PROXY, ADMIN_KEY, "POST", "/api/v1/api-keys", { description: subject, sub: user.body.id });
  if (key.status !== 201) throw new Error(`minting a key for ${subject}: ${key.status}`);
  return { id: user.body.id, keyId: key.body.id, token: key.body.token };
}

function report(name, ok, lines) {
  results.push(ok);
  console.log(`${ok ? "PASS" : "FAIL"} ${name}`);
  for (const line of lines) console.log(`     ${line}`);
}

// 1. Concurrent creates of one name through the proxy: exactly one 201, the rest 409.
async function sameNameCreates() {
  const user = await newUser(`same-name-${Date.now()}`);
  const rounds = 10, racers = 16;
  let bad = 0;
  const tallies = [];
  for (let r = 0; r < rounds; r++) {
    const name = `race-${Date.now()}-${r}`;
    const statuses = await Promise.all(Array.from({ length: racers }, () =>
      call(PROXY, user.token, "POST", "/api/v1/data-connections", connection(name)).then((x) => x.status)));
    const created = statuses.filter((s) => s === 201).length;
    const conflicts = statuses.filter((s) => s === 409).length;
    tallies.push(`${created}/${conflicts}`);
    if (created !== 1 || conflicts !== racers - 1) bad++;
  }
  report("same-name creates", bad === 0, [
    `${rounds} rounds of ${racers} concurrent creates of one name through the proxy`,
    `201/409 per round: ${tallies.join(" ")}`,
    `rounds with other than one 201 and ${racers - 1} 409: ${bad}`,
  ]);
}

// 2. Paging through links.next (the proxy's links) while another client creates and deletes rows in between.
async function pagingUnderChurn() {
  const seeder = await newUser(`pager-${Date.now()}`);
  const prefix = `page-${Date.now()}`;
  const seeded = new Set();
  for (let i = 0; i < 120; i += 20) {
    const made = await Promise.all(Array.from({ length: 20 }, (_, k) =>
      call(PROXY, seeder.token, "POST", "/api/v1/data-connections", connection(`${prefix}-${String(i + k).padStart(3, "0")}`))));
    for (const m of made) {
      if (m.status !== 201) throw new Error(`seeding: ${m.status}`);
      seeded.add(m.body.qID);
    }
  }
  const churner = await newUser(`churner-${Date.now()}`);
  let stop = false, churned = 0;
  const churn = (async () => {
    for (let n = 0; !stop; n++) {
      // Names that sort between the seeded ones, so rows appear and vanish inside the pages being read.
      const made = await call(PROXY, churner.token, "POST", "/api/v1/data-connections",
        connection(`${prefix}-${String(n % 120).padStart(3, "0")}-churn-${n}`));
      if (made.status === 201) {
        await call(PROXY, churner.token, "DELETE", `/api/v1/data-connections/${made.body.qID}`);
        churned++;
      }
    }
  })();
  const walks = [];
  for (let w = 0; w < 3; w++) {
    const ids = [];
    let pages = 0;
    let url = `/api/v1/data-connections?limit=7&sort=%2BqName&noDatafiles=true&filter=${encodeURIComponent(`qName sw "${prefix}"`)}`;
    let base = PROXY;
    while (url) {
      const page = await call(base, seeder.token, "GET", url);
      if (page.status !== 200) throw new Error(`page ${pages}: ${page.status} ${JSON.stringify(page.body)}`);
      pages++;
      for (const row of page.body.data) ids.push(row.qID);
      const next = page.body.links?.next?.href;
      if (next && !next.startsWith(PROXY)) throw new Error(`links.next leaves the proxy: ${next}`);
      url = next ?? null;
      base = undefined;
    }
    const seen = new Set(ids);
    const duplicates = ids.length - seen.size;
    const skipped = [...seeded].filter((id) => !seen.has(id)).length;
    walks.push({ pages, rows: ids.length, duplicates, skipped });
  }
  stop = true;
  await churn;
  const ok = walks.every((w) => w.duplicates === 0 && w.skipped === 0);
  report("paging under churn", ok, [
    `${seeded.size} rows that existed throughout; ${churned} rows created and deleted meanwhile by another client`,
    ...walks.map((w, i) => `walk ${i + 1}: ${w.pages} pages of 7, ${w.rows} rows, ${w.duplicates} duplicates, ${w.skipped} of the lasting rows skipped`),
  ]);
}

// 3. An API key revoked on instance A stops working on instance B within Auth:SignInCacheSeconds.
async function revocation() {
  const samples = [];
  let bad = 0;
  for (let r = 0; r < 3; r++) {
    const user = await newUser(`revoked-${Date.now()}-${r}`, []);
    // B validates the key and remembers the sign-in, right before A revokes it: the worst case for the cache.
    for (let i = 0; i < 3; i++) {
      const me = await call(INSTANCE_B, user.token, "GET", "/api/v1/users/me");
      if (me.status !== 200) throw new Error(`the new key on B: ${me.status}`);
    }
    const revoked = await call(INSTANCE_A, ADMIN_KEY, "DELETE", `/api/v1/api-keys/${user.keyId}`);
    if (revoked.status !== 204) throw new Error(`revoking on A: ${revoked.status}`);
    const start = performance.now();
    let seconds = null;
    while (performance.now() - start < (SIGN_IN_CACHE_SECONDS + 10) * 1000) {
      const me = await call(INSTANCE_B, user.token, "GET", "/api/v1/users/me");
      if (me.status === 401) {
        seconds = (performance.now() - start) / 1000;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    samples.push(seconds);
    if (seconds === null || seconds > SIGN_IN_CACHE_SECONDS + 0.5) bad++;
  }
  report("revocation across instances", bad === 0, [
    `key revoked on A, polled on B every 25 ms; bound Auth:SignInCacheSeconds = ${SIGN_IN_CACHE_SECONDS} s`,
    `refused on B after: ${samples.map((s) => (s === null ? "never" : `${s.toFixed(2)} s`)).join(", ")}`,
  ]);
}

// 4. Rate limits across instances: with RateLimits:Instances=2 each instance allows half, so through the balancer a
// user gets about the configured limit in total, not twice it.
async function rateLimits() {
  const user = await newUser(`rate-${Date.now()}`);
  const attempts = TIER2 * 2;
  const statuses = [];
  for (let i = 0; i < attempts; i += 10) {
    statuses.push(...await Promise.all(Array.from({ length: Math.min(10, attempts - i) }, (_, k) =>
      call(PROXY, user.token, "POST", "/api/v1/data-connections", connection(`rate-${Date.now()}-${i + k}`)).then((x) => x.status))));
  }
  const allowed = statuses.filter((s) => s === 201).length;
  const limited = statuses.filter((s) => s === 429).length;
  const other = statuses.length - allowed - limited;
  // Each instance allows ceil(limit / 2): the total is the limit, plus one when the limit is odd.
  const ok = allowed >= TIER2 * 0.9 && allowed <= TIER2 + 1 && other === 0;
  report("rate limits across instances", ok, [
    `${attempts} Tier 2 writes of one user through the proxy within a minute; RateLimits:Tier2PerMinute = ${TIER2}, RateLimits:Instances = 2`,
    `allowed ${allowed} (${(allowed / TIER2).toFixed(2)} x the limit), 429: ${limited}, other: ${other}`,
  ]);
}

for (const check of [sameNameCreates, pagingUnderChurn, revocation, rateLimits]) {
  try {
    await check();
  } catch (error) {
    report(check.name, false, [String(error?.stack ?? error)]);
  }
}
const failed = results.filter((ok) => !ok).length;
console.log(`${results.length - failed} of ${results.length} checks passed`);
process.exit(failed === 0 ? 0 : 1);
