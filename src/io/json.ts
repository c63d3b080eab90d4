/**
 * JSON.parse that names the file and line of a syntax error: every JSON a user supplies (dataset
 * records, run.json, model configs, tokenizer.json) is read through here.
 */
import { InputError, type SourceRef } from '../errors.js';

/**
 * JSON.parse with a location: invalid JSON is an {@link InputError} at the line where the parser
 * stopped. `source` is where `text` starts (a JSONL line, or line 1 of a whole file).
 */
export function parseJsonAt(text: string, source: SourceRef): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const message = (error as Error).message;
    // V8 ends some messages with "at position N" (Node 20) or "at position N (line L column C)"
    // (Node 22); others ("Unexpected token ...") carry no position, so the text is scanned for it.
    const position = /at position (\d+)(?: \(line \d+ column \d+\))?$/.exec(message);
    const offset = position ? Number(position[1]) : jsonSyntaxErrorOffset(text) ?? 0;
    const line = source.line + text.slice(0, offset).split('\n').length - 1;
    throw new InputError(`invalid JSON (${message})`, { file: source.file, line });
  }
}

/**
 * Where a JSON text first breaks the grammar (RFC 8259): the offset of the offending character,
 * `text.length` when it ends too early, or null when it is valid JSON. Only used to place an error
 * that JSON.parse reported without a position.
 */
export function jsonSyntaxErrorOffset(text: string): number | null {
  let at = 0;
  const fail = (): never => {
    throw new JsonSyntaxStop(at);
  };
  const space = (): void => {
    while (at < text.length && ' \t\n\r'.includes(text[at]!)) at++;
  };
  const literal = (word: string): void => {
    for (const char of word) {
      if (text[at] !== char) fail();
      at++;
    }
  };
  const string = (): void => {
    at++;
    for (;;) {
      if (at >= text.length) fail();
      const code = text.charCodeAt(at);
      if (code === 0x22) {
        at++;
        return;
      }
      if (code < 0x20) fail();
      if (code === 0x5c) {
        at++;
        const escape = text[at];
        if (escape === 'u') {
          for (let i = 1; i <= 4; i++) {
            if (!/[0-9a-fA-F]/.test(text[at + i] ?? '')) {
              at += i;
              fail();
            }
          }
          at += 5;
        } else if (escape !== undefined && '"\\/bfnrt'.includes(escape)) at++;
        else fail();
      } else at++;
    }
  };
  const number = (): void => {
    const match = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(at, at + 400));
    if (!match) fail();
    at += match![0].length;
  };
  const value = (): void => {
    space();
    const char = text[at];
    if (char === '{' || char === '[') {
      const close = char === '{' ? '}' : ']';
      at++;
      space();
      if (text[at] === close) {
        at++;
        return;
      }
      for (;;) {
        if (close === '}') {
          space();
          if (text[at] !== '"') fail();
          string();
          space();
          if (text[at] !== ':') fail();
          at++;
        }
        value();
        space();
        if (text[at] === ',') at++;
        else if (text[at] === close) {
          at++;
          return;
        } else fail();
      }
    }
    if (char === '"') string();
    else if (char === 't') literal('true');
    else if (char === 'f') literal('false');
    else if (char === 'n') literal('null');
    else if (char === '-' || (char !== undefined && char >= '0' && char <= '9')) number();
    else fail();
  };
  try {
    value();
    space();
    return at === text.length ? null : at;
  } catch (error) {
    if (error instanceof JsonSyntaxStop) return error.offset;
    // Nesting deeper than the stack: no position to offer.
    if (error instanceof RangeError) return null;
    throw error;
  }
}

/** Thrown inside {@link jsonSyntaxErrorOffset} to stop at the first error. */
class JsonSyntaxStop extends Error {
  constructor(readonly offset: number) {
    super(`JSON syntax error at ${offset}`);
  }
}
