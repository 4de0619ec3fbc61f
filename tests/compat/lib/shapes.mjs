// The platform APIs (users, api-keys, spaces) have no API document here; @qlik/api's .d.ts files are the reference.
// These schemas transcribe the required members, their types and enums from @qlik/api 2.19.0's users.d.ts,
// api-keys.d.ts and spaces.d.ts (optional members are typed when present; extra members are allowed, as in the types).
import assert from "node:assert/strict";
import Ajv from "ajv";
import addFormats from "ajv-formats";

const str = { type: "string" };
const int = { type: "integer" };
const link = { type: "object", required: ["href"], properties: { href: str } };
const obj = (required, properties) => ({ type: "object", required: Object.keys(required), properties: { ...required, ...properties } });
const arrayOf = items => ({ type: "array", items });
const roleType = { enum: ["consumer", "contributor", "dataconsumer", "datapreview", "facilitator", "operator", "producer", "publisher", "basicconsumer", "codeveloper"] };
const actionName = { enum: ["change_owner", "create", "read", "update", "delete", "publish", "link_environment", "restrict"] };
const pageLinks = obj({ self: link }, { next: link, prev: link });

const user = obj(
  { id: str, name: str, subject: str, tenantId: str },
  {
    assignedRoles: arrayOf(obj({ id: str, level: { enum: ["admin", "user"] }, name: str, type: { enum: ["default", "custom"] } }, {})),
    assignedGroups: arrayOf(obj({ id: str, name: str }, {})),
    assignedScopes: arrayOf(str),
    createdAt: str, lastUpdatedAt: str, email: str, locale: str, picture: str, preferredLocale: str, preferredZoneinfo: str, zoneinfo: str,
    inviteExpiry: { type: "number" },
    status: { enum: ["active", "invited", "disabled", "deleted", "provisioned"] },
    links: obj({ self: link }, {}),
  });

const apiKeyMembers = {
  createdByUser: str, description: str, expiry: str, id: str,
  status: { enum: ["active", "expired", "revoked"] }, sub: str, subType: { enum: ["user", "externalClient"] }, tenantId: str,
};
const apiKey = obj(apiKeyMembers, { created: str, lastUpdated: str });

const space = obj(
  { id: str, name: str, tenantId: str, links: obj({ assignments: link, self: link }, {}) },
  {
    createdAt: str, createdBy: str, description: str, ownerId: str, updatedAt: str,
    type: { enum: ["shared", "managed", "data"] },
    meta: obj({ actions: arrayOf(actionName), assignableRoles: arrayOf(roleType), roles: arrayOf(roleType) }, {}),
  });

const assignment = obj(
  {
    assigneeId: str, id: str, links: obj({ self: link }, { space: link }), roles: arrayOf(roleType), spaceId: str, tenantId: str,
    type: { enum: ["user", "group", "bot"] },
  },
  { createdAt: str, createdBy: str, updatedAt: str, updatedBy: str });

const error = obj({ code: str, title: str }, { detail: str, status: int, source: obj({}, { parameter: str, pointer: str }) });

export const schemas = {
  User: user,
  Users: obj({}, { data: arrayOf(user), links: pageLinks, totalResults: int }),
  UserCount: obj({ total: int }, {}),
  ApiKey: apiKey,
  ApiKeyWithToken: obj({ ...apiKeyMembers, subType: { const: "user" }, token: str }, { created: str, lastUpdated: str }),
  ApiKeyPage: obj({ data: arrayOf(apiKey), links: pageLinks }, {}),
  Space: space,
  Spaces: obj({}, {
    data: arrayOf(space),
    links: pageLinks,
    meta: obj({ count: int }, { personalSpace: obj({ actions: arrayOf(actionName), resourceType: str }, {}) }),
  }),
  SpaceTypes: obj({}, { data: arrayOf({ enum: ["shared", "managed", "data"] }) }),
  Assignment: assignment,
  Assignments: obj({}, { data: arrayOf(assignment), links: pageLinks, meta: obj({ count: int }, {}) }),
  Errors: obj({}, { errors: arrayOf(error), traceId: str }),
};

const ajv = new Ajv({ strict: true, allErrors: true });
addFormats(ajv);
const compiled = new Map(Object.entries(schemas).map(([name, schema]) => [name, ajv.compile(schema)]));

/** Asserts that `body` fits @qlik/api's type `name`; returns the body. */
export function shape(name, body) {
  const validate = compiled.get(name);
  assert.ok(validate, `no shape named ${name}`);
  if (!validate(body)) {
    const errors = validate.errors.map(e => `${e.instancePath || "/"} ${e.message} ${JSON.stringify(e.params)}`).join("; ");
    assert.fail(`body is not @qlik/api's ${name}: ${errors}\nbody: ${JSON.stringify(body)}`);
  }
  return body;
}
