// The committed client types are what openapi-typescript makes of the committed schema
// (`npm run api-types` runs its CLI with no options; this is the same call through its Node
// API). The schema itself is checked against the running app by tests/test_openapi_types.py.
import { readFileSync } from "node:fs";
import openapiTS, { astToString, COMMENT_HEADER, type OpenAPI3 } from "openapi-typescript";
import { describe, expect, it } from "vitest";

const read = (path: string) => readFileSync(new URL(path, import.meta.url), "utf8");

describe("generated API types", () => {
  it("match the committed openapi.json (else run `make api-types`)", async () => {
    const schema = JSON.parse(read("../../src/api/openapi.json")) as OpenAPI3;
    const generated = COMMENT_HEADER + astToString(await openapiTS(schema, { silent: true }));
    expect(generated, "src/api/schema.d.ts is out of date: run `make api-types`").toBe(read("../../src/api/schema.d.ts"));
  }, 60_000);
});
