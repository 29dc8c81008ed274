import { parse as parseTolerant, printParseErrorCode, type ParseError } from "jsonc-parser";
import { LineCounter, parseDocument, isNode, type Document } from "yaml";

import type { Locate, Position } from "./validate.js";

/** Line and column (1-based) of a character offset. */
export function positionOf(text: string, offset: number): Position {
  const before = text.slice(0, Math.max(0, offset));
  const lines = before.split("\n");
  return { line: lines.length, column: (lines.at(-1)?.length ?? 0) + 1 };
}

export type ParseResult<T> = { ok: true; value: T; locate: Locate } | { ok: false; message: string; position?: Position };

/**
 * JSON.parse with the line and column of a syntax error. Node 20 reports only a character offset,
 * which a person editing tokens.json by hand cannot use.
 */
export function parseJsonText(text: string): ParseResult<unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return { ok: true, value, locate: () => undefined };
  } catch (e) {
    // V8 does not always give a position; a tolerant parser finds the first error's offset.
    const errors: ParseError[] = [];
    parseTolerant(text, errors, { disallowComments: true, allowTrailingComma: false });
    const first = errors[0];
    if (!first) return { ok: false, message: (e as Error).message };
    return { ok: false, message: describeJsonError(printParseErrorCode(first.error)), position: positionOf(text, first.offset) };
  }
}

function describeJsonError(code: string): string {
  const words: Record<string, string> = {
    InvalidSymbol: "unexpected character",
    InvalidNumberFormat: "invalid number",
    PropertyNameExpected: "a property name in double quotes is expected (a trailing comma?)",
    ValueExpected: "a value is expected (a trailing comma or a missing value?)",
    ColonExpected: "':' is expected after the property name",
    CommaExpected: "',' is expected between entries",
    CloseBraceExpected: "'}' is expected (an unclosed object?)",
    CloseBracketExpected: "']' is expected (an unclosed list?)",
    EndOfFileExpected: "nothing may follow the closing brace",
    InvalidCommentToken: "comments are not allowed in JSON",
    UnexpectedEndOfComment: "comments are not allowed in JSON",
    UnexpectedEndOfString: "a string is not closed",
    UnexpectedEndOfNumber: "a number is cut short",
    InvalidUnicode: "invalid \\u escape",
    InvalidEscapeCharacter: "invalid escape sequence",
    InvalidCharacter: "invalid character in a string (raw newline or tab?)",
  };
  return words[code] ?? code;
}

/** YAML with duplicate keys refused and positions kept, so schema errors can point at a line. */
export function parseYamlText(text: string): ParseResult<unknown> {
  const lineCounter = new LineCounter();
  const doc: Document = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: true });
  const first = doc.errors[0];
  if (first) {
    const pos = first.linePos?.[0];
    return {
      ok: false,
      message: (first.message.split("\n")[0] ?? first.message).replace(/ at line \d+, column \d+:?$/, ""),
      ...(pos ? { position: { line: pos.line, column: pos.col } } : {}),
    };
  }
  return {
    ok: true,
    value: doc.toJS() as unknown,
    locate: (path) => {
      for (let depth = path.length; depth >= 0; depth--) {
        const node = doc.getIn(path.slice(0, depth), true);
        if (isNode(node) && node.range) {
          const pos = lineCounter.linePos(node.range[0]);
          return { line: pos.line, column: pos.col };
        }
      }
      return undefined;
    },
  };
}
