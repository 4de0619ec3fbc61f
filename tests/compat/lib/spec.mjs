// Validates response bodies against the response schema an OpenAPI 3.0 document declares for an operation and status.
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import Ajv from "ajv";
import addFormats from "ajv-formats";
import { specDir } from "./env.mjs";

/** OpenAPI 3.0 schema words that JSON Schema lacks: `nullable: true` becomes a "null" type (and a null enum value). */
function toJsonSchema(node) {
  if (Array.isArray(node)) {
    return node.map(toJsonSchema);
  }
  if (node === null || typeof node !== "object") {
    return node;
  }
  const out = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === "example" || key === "examples" || key === "nullable") {
      continue;
    }
    out[key] = toJsonSchema(value);
  }
  if (node.nullable === true) {
    if (typeof out.type === "string") {
      out.type = [out.type, "null"];
    } else if (Array.isArray(out.type) && !out.type.includes("null")) {
      out.type = [...out.type, "null"];
    }
    if (Array.isArray(out.enum) && !out.enum.includes(null)) {
      out.enum = [...out.enum, null];
    }
    if (!out.type && !out.enum) {
      // A nullable $ref or composition: allow null beside it.
      return { anyOf: [out, { type: "null" }] };
    }
  }
  return out;
}

const pointer = (...parts) => parts.map(p => String(p).replaceAll("~", "~0").replaceAll("/", "~1")).join("/");

export class Spec {
  /**
   * `adjust`, when given, receives the parsed document before it is compiled, to correct a known defect of the
   * published document (each caller names the defect it corrects).
   */
  constructor(file, adjust) {
    const full = path.resolve(specDir, file);
    if (!existsSync(full)) {
      throw new Error(`API document ${full} not found: set CONNECTORY_SPEC_DIR to the folder holding the specs`);
    }
    this.file = file;
    this.document = JSON.parse(readFileSync(full, "utf8"));
    adjust?.(this.document);
    this.ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true });
    addFormats(this.ajv);
    this.ajv.addFormat("int32", { type: "number", validate: n => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 });
    this.ajv.addFormat("int64", { type: "number", validate: n => Number.isInteger(n) });
    this.ajv.addSchema(toJsonSchema(this.document), file);
    this.validators = new Map();
    this.checked = new Set();
  }

  /**
   * The validator for "METHOD /path/template" answering `status`; fails when the document declares no such
   * operation or status, so a response the contract does not allow is caught too.
   */
  validator(operation, status) {
    const key = `${operation} ${status}`;
    if (!this.validators.has(key)) {
      const [method, template] = operation.split(" ");
      const op = this.document.paths?.[template]?.[method.toLowerCase()];
      assert.ok(op, `${this.file} has no operation ${operation}`);
      const response = op.responses?.[String(status)] ?? op.responses?.[`${String(status)[0]}XX`] ?? op.responses?.default;
      assert.ok(response, `${this.file} declares no ${status} response for ${operation} (declared: ${Object.keys(op.responses ?? {}).join(", ")})`);
      const media = response.content?.["application/json"];
      const ref = media?.schema
        ? `${this.file}#/${pointer("paths", template, method.toLowerCase(), "responses", Object.keys(op.responses).find(k => op.responses[k] === response), "content", "application/json", "schema")}`
        : null;
      this.validators.set(key, ref ? this.ajv.compile({ $ref: ref }) : null);
    }
    return this.validators.get(key);
  }

  /** Asserts that `body` is what the document allows for `operation` answering `status`; returns the body. */
  check(operation, status, body) {
    const validate = this.validator(operation, status);
    this.checked.add(`${operation} ${status}`);
    if (validate === null) {
      assert.ok(body === undefined || body === null || body === "",
        `${operation} ${status} declares no body, got ${JSON.stringify(body)}`);
      return body;
    }
    if (!validate(body)) {
      const errors = validate.errors.map(e => `${e.instancePath || "/"} ${e.message} ${JSON.stringify(e.params)}`).join("; ");
      assert.fail(`${operation} ${status} body does not match ${this.file}: ${errors}\nbody: ${JSON.stringify(body)}`);
    }
    return body;
  }

  /** Awaits a client call, checks the status it answered with and its body, and returns the response. */
  async call(operation, promise, expectedStatus) {
    let response;
    try {
      response = await promise;
    } catch (error) {
      if (typeof error?.status === "number") {
        assert.equal(error.status, expectedStatus, `${operation} answered ${error.status}: ${JSON.stringify(error.data)}`);
        this.check(operation, error.status, error.data);
        return { status: error.status, data: error.data, headers: error.headers };
      }
      throw error;
    }
    if (expectedStatus !== undefined) {
      assert.equal(response.status, expectedStatus, `${operation} answered ${response.status}`);
    }
    this.check(operation, response.status, response.data);
    return response;
  }

  summary() {
    return [...this.checked].sort();
  }
}
