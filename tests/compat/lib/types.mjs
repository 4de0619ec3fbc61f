// Validates what a client call answered against the TypeScript declarations of the client (the `.d.ts` files in
// shared/spec/connectivity, generated from Qlik's specs): each function's `<Name>HttpResponse` and `<Name>HttpError`
// give the statuses it may answer and the body type of each, turned into JSON schemas here.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Ajv from "ajv";
import { createGenerator } from "ts-json-schema-generator";
import { specDir } from "./env.mjs";

const capitalized = name => name[0].toUpperCase() + name.slice(1);

export class Types {
  /**
   * `file` is relative to the spec folder. `extras` names, per declared type, properties this service adds on purpose
   * (each documented); any other property the declaration lacks fails the check, so a renamed field cannot slip by.
   * `errorStatuses` names, per function, error statuses this service answers beyond the declared ones (each
   * documented); their bodies must still be the declared error type.
   */
  constructor(file, extras = {}, errorStatuses = {}) {
    const full = path.resolve(specDir, file);
    if (!existsSync(full)) {
      throw new Error(`Type declarations ${full} not found: set CONNECTORY_SPEC_DIR to the folder holding the specs`);
    }
    this.file = file;
    const source = readFileSync(full, "utf8");
    this.functions = [...source.matchAll(/export declare function (\w+)\(/g)].map(m => m[1]).filter(f => f !== "clearCache");
    // One module of aliases: the body and status of every response and error, which the generator can name.
    const dir = mkdtempSync(path.join(tmpdir(), "connectory-types-"));
    writeFileSync(path.join(dir, "api.d.ts"), source.replace(/^import .*$/gm, "type ApiCallOptions = unknown;"));
    const aliases = ['import type * as Api from "./api.js";'];
    for (const fn of this.functions) {
      for (const kind of ["HttpResponse", "HttpError"]) {
        const type = `${capitalized(fn)}${kind}`;
        assert.ok(source.includes(`export type ${type} = `), `${file} declares ${fn} without ${type}`);
        aliases.push(`export type ${fn}_${kind}_data = Api.${type}["data"];`, `export type ${fn}_${kind}_status = Api.${type}["status"];`);
      }
    }
    writeFileSync(path.join(dir, "aliases.ts"), aliases.join("\n"));
    const generator = createGenerator({
      path: path.join(dir, "aliases.ts"), tsconfig: undefined, skipTypeCheck: true, expose: "all", topRef: true, additionalProperties: false,
      jsDoc: "none",
    });
    this.schemas = new Map();
    this.ajv = new Ajv({ strict: false, allErrors: true });
    for (const fn of this.functions) {
      for (const kind of ["HttpResponse", "HttpError"]) {
        const statuses = generator.createSchema(`${fn}_${kind}_status`);
        const data = generator.createSchema(`${fn}_${kind}_data`);
        this.allowExtras(data, extras);
        this.schemas.set(`${fn} ${kind}`, {
          statuses: [...statusesOf(statuses), ...(kind === "HttpError" ? errorStatuses[fn] ?? [] : [])],
          validate: this.ajv.compile(data),
        });
      }
    }
    this.checked = new Set();
  }

  /** Opens the declared types named in `extras` to the properties listed for them. */
  allowExtras(schema, extras) {
    for (const [name, definition] of Object.entries(schema.definitions ?? {})) {
      const added = extras[name];
      if (added && definition.type === "object") {
        definition.properties = { ...definition.properties, ...Object.fromEntries(added.map(p => [p, {}])) };
      }
    }
  }

  /** Asserts that `status` and `body` are what `fn` may answer (success or error); returns the body. */
  check(fn, status, body) {
    const success = this.schemas.get(`${fn} HttpResponse`);
    const failure = this.schemas.get(`${fn} HttpError`);
    assert.ok(success && failure, `${this.file} declares no function ${fn}`);
    const declared = success.statuses.includes(status) ? success : failure.statuses.includes(status) ? failure : null;
    assert.ok(declared, `${fn} answered ${status}; ${this.file} declares ${[...success.statuses, ...failure.statuses].join(", ")}`);
    this.checked.add(`${fn} ${status}`);
    const value = body === "" ? undefined : body;
    if (!declared.validate(value ?? null) && !(value === undefined && declared.validate(undefined))) {
      const errors = declared.validate.errors.map(e => `${e.instancePath || "/"} ${e.message} ${JSON.stringify(e.params)}`).join("; ");
      assert.fail(`${fn} ${status} body does not match ${this.file}: ${errors}\nbody: ${JSON.stringify(body)}`);
    }
    return body;
  }

  /** Awaits a client call, checks its status (when given) and its body against the declarations, returns the response. */
  async call(fn, promise, expectedStatus) {
    let response;
    try {
      response = await promise;
    } catch (error) {
      if (typeof error?.status === "number") {
        assert.equal(error.status, expectedStatus, `${fn} answered ${error.status}: ${JSON.stringify(error.data)}`);
        this.check(fn, error.status, error.data);
        return { status: error.status, data: error.data, headers: error.headers };
      }
      throw error;
    }
    if (expectedStatus !== undefined) {
      assert.equal(response.status, expectedStatus, `${fn} answered ${response.status}`);
    }
    this.check(fn, response.status, response.data);
    return response;
  }

  /** The functions of the module never called. */
  unchecked() {
    return this.functions.filter(fn => ![...this.checked].some(c => c.startsWith(`${fn} `)));
  }
}

/** The statuses a `status` type allows: a number literal or a union of them. */
function statusesOf(schema) {
  const root = schema.$ref ? schema.definitions[schema.$ref.split("/").pop()] : schema;
  if (typeof root.const === "number") {
    return [root.const];
  }
  if (Array.isArray(root.enum)) {
    return root.enum;
  }
  throw new Error(`not a status type: ${JSON.stringify(schema)}`);
}
