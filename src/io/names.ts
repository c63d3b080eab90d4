/**
 * Names that become parts of file paths (dataset names in results/, model ids in the cache): limited
 * to letters, digits, `.`, `_` and `-`, never `.` or `..`, so nothing a user or a dataset file
 * supplies can make sensebench write outside its output or cache directory.
 */

import { createHash } from 'node:crypto';

/** Letters (any script), digits, `.`, `_`, `-`: the characters a name may keep in a file path. */
const SAFE_NAME = /^[\p{L}\p{N}._-]+$/u;

/**
 * The longest name, in UTF-8 bytes: file systems allow 255 bytes per file name, and a name is
 * one part of names such as `plots/distribution-<dataset>-<split>.svg`.
 */
export const MAX_NAME_BYTES = 100;

/** Why `name` cannot be a file-name component, or null when it can. */
export function nameProblem(name: string): string | null {
  if (!SAFE_NAME.test(name) || /^\.+$/.test(name)) return 'use only letters, digits, ".", "_" and "-" (not only dots)';
  const bytes = Buffer.byteLength(name, 'utf8');
  if (bytes > MAX_NAME_BYTES) return `at most ${MAX_NAME_BYTES} bytes (UTF-8), this one has ${bytes}`;
  return null;
}

/** True when `name` is safe as a file-name component: safe characters only, not only dots, not too long. */
export function isSafeName(name: string): boolean {
  return nameProblem(name) === null;
}

/** The key under which two names are one file on a case-insensitive file system (macOS, Windows). */
export function fileNameKey(name: string): string {
  return name.normalize('NFC').toLowerCase();
}

/**
 * The file stem of any text (a model id, a dataset name): a safe name is its own stem, so every
 * file of a dataset carries its name as it is (`pairs/`, `words/` and `plots/` alike); other text
 * gets its unsafe characters replaced and a short hash of the original, so that two texts never
 * share a stem (`static:a/b` and `static:a_b`).
 */
export function fileStem(text: string): string {
  if (isSafeName(text)) return text;
  const hash = createHash('sha256').update(text).digest('hex').slice(0, 8);
  return `${safeName(text).slice(0, 64)}~${hash}`;
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
