/** The error every bad input becomes: a message that names the file, line and reason, and exit code 2. */

/** Where a record came from, so that every error and every odd number can be traced to a line. */
export interface SourceRef {
  /** Path of the file, as given by the user (relative paths stay relative). */
  readonly file: string;
  /** 1-based line number (for JSON lists: the 1-based index of the record). */
  readonly line: number;
}

/**
 * A user-facing input problem: bad file, bad flag, missing model. The CLI prints `message`
 * (which starts with `file:line: ` when a line is known) and exits with code 2.
 */
export class InputError extends Error {
  override readonly name = 'InputError';
  constructor(
    message: string,
    readonly source?: SourceRef,
  ) {
    super(source ? `${source.file}:${source.line}: ${clipMessage(message)}` : clipMessage(message));
  }
}

/** The longest message an {@link InputError} carries (its `file:line: ` aside). */
export const MESSAGE_LIMIT = 1000;

/**
 * A message cut to size, whatever built it: each double-quoted value over {@link QUOTE_LIMIT}
 * characters is cut to that many (the offending field of a 5 MB line is quoted), then a message
 * still over {@link MESSAGE_LIMIT} keeps its start and end. Messages should quote with
 * {@link quote}; this is the net under every format's loader.
 */
export function clipMessage(message: string): string {
  if (message.length <= MESSAGE_LIMIT) return message;
  const quoted = message.replace(/"([^"\n]{201,})"/g, (_match, inner: string) => `"${inner.slice(0, QUOTE_LIMIT)}"… (${inner.length.toLocaleString('en-US')} characters)`);
  if (quoted.length <= MESSAGE_LIMIT) return quoted;
  const head = quoted.slice(0, 600);
  const tail = quoted.slice(-300);
  return `${head}… (${(quoted.length - 900).toLocaleString('en-US')} characters cut) …${tail}`;
}

/** The most characters of an offending value an error message quotes. */
export const QUOTE_LIMIT = 200;

/**
 * A value quoted for an error message, JSON-style, cut to {@link QUOTE_LIMIT} characters with
 * the full length said: a 5 MB line must not become a 5 MB message.
 */
export function quote(value: unknown): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) as string | undefined) ?? String(value);
  if (text.length <= QUOTE_LIMIT) return JSON.stringify(text);
  return `${JSON.stringify(text.slice(0, QUOTE_LIMIT))}… (${text.length.toLocaleString('en-US')} characters)`;
}
