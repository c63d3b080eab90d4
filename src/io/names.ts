/**
 * Names that become parts of file paths (dataset names in results/, model ids in the cache): limited
 * to letters, digits, `.`, `_` and `-`, never `.` or `..`, so nothing a user or a dataset file
 * supplies can make sensebench write outside its output or cache directory.
 */

/** Characters allowed in a name that becomes part of a file path. */
const SAFE_NAME = /^[A-Za-z0-9._-]+$/;

/** True when `name` is safe as a file-name component: safe characters only, and not `.` or `..`. */
export function isSafeName(name: string): boolean {
  return SAFE_NAME.test(name) && name !== '.' && name !== '..';
}

/** `text` with every unsafe character replaced by `-` (never empty, `.` or `..`). */
export function safeName(text: string): string {
  const replaced = text.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^\.+$/, '-');
  return replaced === '' ? '-' : replaced;
}
