/**
 * Atlassian's Swagger 2.0 document for Bitbucket Cloud, loaded into ajv so tests can check bodies
 * against it. Schemas are referenced in place ("openapi#/definitions/account", or an operation's
 * response schema), so the document stays the single source of truth.
 *
 *   validateDefinition("repository", body)              → [] or ajv errors
 *   validateResponse("/user", "get", 200, body)         → the schema that operation declares
 *   operationScopes("/user", "get")                      → ["read:user:bitbucket"]
 */

import { readFileSync } from "node:fs";
import type { ErrorObject, ValidateFunction } from "ajv";
import { Ajv } from "ajv";

export const OPENAPI_FILE = new URL("./bitbucket-cloud-openapi.json", import.meta.url);
export const OPENAPI_SHA256 = "ecf7b8905dc6eab269040d04fa0766b9ca31d8f3b6105a2acedbf24665598705";

interface Operation {
  responses: Record<string, { schema?: unknown }>;
  security?: { oauth2?: string[] }[];
  "x-atlassian-oauth2-scopes"?: { scheme: string; scopes: string[] }[];
}
export interface OpenApiDocument {
  swagger: string;
  basePath: string;
  paths: Record<string, Record<string, Operation>>;
  definitions: Record<string, unknown>;
}

export const openapi: OpenApiDocument = JSON.parse(readFileSync(OPENAPI_FILE, "utf8"));

const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;
const UUID = /^\{?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}?$/i;

let ajv: Ajv | undefined;
const compiled = new Map<string, ValidateFunction>();

function validator(ref: string): ValidateFunction {
  if (!ajv) {
    // strict: false because Swagger 2.0 carries keywords JSON Schema does not know
    // (discriminator as a string, x-* extensions, example).
    ajv = new Ajv({ strict: false, allErrors: true });
    // Every format the document uses, checked for real rather than ignored.
    ajv.addFormat("date-time", (s: string) => DATE_TIME.test(s) && !Number.isNaN(Date.parse(s)));
    ajv.addFormat("uri", (s: string) => /^[a-z][a-z0-9+.-]*:/i.test(s) && URL.canParse(s));
    ajv.addFormat("uuid", UUID);
    ajv.addFormat("int32", {
      type: "number",
      validate: (n: number) => Number.isInteger(n) && Math.abs(n) < 2 ** 31,
    });
    ajv.addFormat("int64", { type: "number", validate: (n: number) => Number.isInteger(n) });
    ajv.addSchema(openapi as object, "openapi");
  }
  let validate = compiled.get(ref);
  if (!validate) {
    validate = ajv.compile({ $ref: ref });
    compiled.set(ref, validate);
  }
  return validate;
}

function run(ref: string, data: unknown): ErrorObject[] {
  const validate = validator(ref);
  return validate(data) ? [] : [...(validate.errors ?? [])];
}

/** JSON pointer escaping for a path key like "/user/workspaces". */
const pointer = (key: string) => key.replaceAll("~", "~0").replaceAll("/", "~1");

export function operation(path: string, method: string): Operation {
  const op = openapi.paths[path]?.[method];
  if (!op) throw new Error(`no operation ${method.toUpperCase()} ${path} in the OpenAPI document`);
  return op;
}

export function validateDefinition(name: string, data: unknown): ErrorObject[] {
  if (!(name in openapi.definitions)) throw new Error(`no definition ${name}`);
  return run(`openapi#/definitions/${pointer(name)}`, data);
}

/** Validates against the schema the document declares for that operation and status. */
export function validateResponse(
  path: string,
  method: string,
  status: number,
  data: unknown,
): ErrorObject[] {
  if (!operation(path, method).responses[String(status)]?.schema) {
    throw new Error(`${method.toUpperCase()} ${path} declares no ${status} response schema`);
  }
  return run(`openapi#/paths/${pointer(path)}/${method}/responses/${status}/schema`, data);
}

/** The granular scopes an operation needs (x-atlassian-oauth2-scopes). */
export function operationScopes(path: string, method: string): string[] {
  return (operation(path, method)["x-atlassian-oauth2-scopes"] ?? []).flatMap((s) => s.scopes);
}

/** The legacy OAuth 2 scopes an operation accepts (security: oauth2). */
export function operationLegacyScopes(path: string, method: string): string[] {
  return (operation(path, method).security ?? []).flatMap((s) => s.oauth2 ?? []);
}

/** ajv errors as one readable line each, for assertion messages. */
export function formatErrors(errors: ErrorObject[]): string {
  return errors.map((e) => `${e.instancePath || "/"} ${e.message} (${e.schemaPath})`).join("\n");
}
