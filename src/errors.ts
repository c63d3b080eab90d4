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
    super(source ? `${source.file}:${source.line}: ${message}` : message);
  }
}
