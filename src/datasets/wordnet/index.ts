/** The WordNet-derived word-in-context benchmark (`wordnet-wic`): generator and its building blocks. */
export {
  buildWordnetWic,
  generateWordnetWic,
  locateTarget,
  summariseSplit,
  DEFAULT_SEED,
  MAX_PAIRS_PER_LABEL_PER_LEMMA,
  SPLIT_FRACTIONS,
  WIC_POS_TAGS,
  WORDNET_WIC_NAME,
  type BuildWordnetWicOptions,
  type WordnetWicPair,
  type WordnetWicSplit,
  type WordnetWicSplitSummary,
  type WordnetWicSummary,
} from './build.js';
export { candidateBaseForms, isFormOf, DETACHMENT_RULES, type ExceptionList, type WordnetPos } from './morphy.js';

export { glossExamples, parseDataLine, readWordnetPos, wordnetDbVersion, wordnetDictDir, wordnetExceptionsDir, readExceptions, POS_FILES, type Synset, type WordnetPosData } from './wordnet-files.js';
export { glossDefinition, readGlosses, type SynsetGloss } from './glosses.js';
export { buildWordnetSenses, generateWordnetSenses, splitLemmas, summariseSenses, WORDNET_SENSES_FILE, type WordnetSensesSummary } from './senses.js';
