// Where the server under test is and who calls it; both come from the environment so the xunit host can
// start a real server on a random port and hand over its address and bootstrap key.
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import path from "node:path";

export function required(name) {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set (expected: CONNECTORY_URL=http://127.0.0.1:PORT CONNECTORY_KEY=<api key>)`);
  }
  return value;
}

export const baseUrl = required("CONNECTORY_URL").replace(/\/+$/, "");
export const apiKey = required("CONNECTORY_KEY");

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
/** The API documents: CONNECTORY_SPEC_DIR, else ../shared/spec beside the repository root. */
export const specDir = process.env.CONNECTORY_SPEC_DIR || path.resolve(repoRoot, "..", "shared", "spec");

/**
 * A host config for @qlik/api: an API key against a plain-http host. The client takes a host that starts with
 * http:// as it is (it adds https:// only to bare host names).
 */
export function hostConfig(key = apiKey) {
  return { authType: "apikey", host: baseUrl, apiKey: key };
}

/** Options for every client call: this host config, and no response cache so each assertion sees the server. */
export function options(key = apiKey) {
  return { hostConfig: hostConfig(key), noCache: true };
}

/** Runs a client call that must fail, and returns the InvokeFetchError's status and body. */
export async function failure(promise) {
  try {
    const response = await promise;
    assert.fail(`expected an error, got ${response.status} ${JSON.stringify(response.data)}`);
  } catch (error) {
    if (error instanceof assert.AssertionError) {
      throw error;
    }
    assert.equal(typeof error.status, "number", `not an HTTP error: ${error?.stack ?? error}`);
    return { status: error.status, data: error.data, headers: error.headers };
  }
}

/** A plain fetch with the API key, for what the client does not expose (error bodies of malformed requests). */
export async function raw(method, pathAndQuery, body, key = apiKey) {
  const init = { method, headers: { Authorization: `Bearer ${key}` } };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = typeof body === "string" ? body : JSON.stringify(body);
  }
  const response = await fetch(baseUrl + pathAndQuery, init);
  const text = await response.text();
  let data;
  try {
    data = text ? JSON.parse(text) : undefined;
  } catch {
    data = text;
  }
  return { status: response.status, data, headers: response.headers };
}

/** The API's one error shape: {"errors":[{"code","title",...}]}, with the given status where items carry one. */
export function assertErrors(data, status) {
  assert.ok(data && Array.isArray(data.errors) && data.errors.length > 0, `expected an error body, got ${JSON.stringify(data)}`);
  for (const error of data.errors) {
    assert.equal(typeof error.code, "string", `error without a code: ${JSON.stringify(error)}`);
    assert.equal(typeof error.title, "string", `error without a title: ${JSON.stringify(error)}`);
    if (error.status !== undefined) {
      assert.equal(error.status, status, `error status ${error.status} in a ${status} response`);
    }
  }
}

export function unique(prefix) {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

/** Runs the named steps in order, printing each, and exits non-zero on the first failure. */
export async function scenario(name, steps) {
  let current = "(start)";
  try {
    for (const [title, step] of steps) {
      current = title;
      await step();
      console.log(`ok - ${title}`);
    }
    console.log(`${name}: ${steps.length} steps passed`);
  } catch (error) {
    console.error(`not ok - ${current}`);
    console.error(error?.stack ?? error);
    if (error?.data !== undefined) {
      console.error(`response body: ${JSON.stringify(error.data)}`);
    }
    process.exitCode = 1;
  }
}
