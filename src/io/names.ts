/**
 * Names that become parts of file paths (dataset names in results/, model ids in the cache): limited
 * to letters, digits, `.`, `_` and `-`, never `.` or `..`, so nothing a user or a dataset file
 * supplies can make sensebench write outside its output or cache directory.
 */

/** Letters (any script), digits, `.`, `_`, `-`: the characters a name may keep in a file path. */
const SAFE_NAME = /^[\p{L}\p{N}._-]+$/u;

/** True when `name` is safe as a file-name component: safe characters only, and not only dots. */
export function isSafeName(name: string): boolean {
  return SAFE_NAME.test(name) && !/^\.+$/.test(name);
}

/**
 * A name that is safe as (part of) a file name: letters, digits, `.`, `_` and `-` stay, every
 * other character (slashes included) becomes `-`. Never empty (-> `dataset`) and never only dots
 * (`.`, `..` -> `-`, `--`), so nothing built from it can leave its directory.
 */
export function safeName(text: string): string {
  const replaced = text.normalize('NFC').replace(/[^\p{L}\p{N}._-]/gu, '-');
  if (replaced === '') return 'dataset';
  return /^\.+$/.test(replaced) ? replaced.replace(/\./g, '-') : replaced;
}
