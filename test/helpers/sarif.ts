/**
 * Validation against the SARIF 2.1.0 JSON schema (draft-04, as published with the standard; the copy
 * shipped in @microsoft/jest-sarif), for the unit and integration tests of scan output.
 */
import { createRequire } from "node:module";
import ajvDraft04 from "ajv-draft-04";
import addFormats from "ajv-formats";

const require = createRequire(import.meta.url);

/** The schema's errors for a document, or an empty list when it is valid SARIF 2.1.0. */
export function sarifErrors(document: unknown): string[] {
  // CommonJS packages with an ES default export: the values are on .default under NodeNext.
  const ajv = new ajvDraft04.default({ allErrors: true, strict: false, unicodeRegExp: false });
  addFormats.default(ajv);
  const validate = ajv.compile(require("@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json") as object);
  return validate(document) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ""}`);
}
