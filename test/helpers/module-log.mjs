// `node --import tsx --import ./test/helpers/module-log.mjs ...`: records the URL of every module
// the process resolves, one per line, into the file MODULE_LOG names (hooks in ./module-log-hooks.mjs).
import { register } from 'node:module';

register('./module-log-hooks.mjs', import.meta.url);
