/**
 * Long input never reaches onnxruntime as such (issue 21 item 5): a 7,000-word sentence given to
 * `similarity` on the command line used to kill the process with SIGSEGV (exit 139) in
 * onnxruntime's environment setup, which recurses over the process's command line; the launcher now
 * relays a long command line to a fresh process, and the sentence is windowed like `run` does.
 * The ONNX runner refuses any sequence longer than the model's limit before native code sees it.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cacheDir } from '../src/config.js';
import { loadOnnxParts } from '../src/models/onnx-model.js';
import { prepareUseLite } from '../src/models/use-lite/convert.js';
import { RELAY_ARGV_BYTES } from '../src/launch.js';

const ROOT = new URL('..', import.meta.url).pathname;
const LONG = `${'word '.repeat(3500)}bank ${'word '.repeat(3500)}`.trim();

function launch(...args: string[]): { status: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string } {
  const child = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'test/helpers/launch-child.ts'), ...args], { cwd: ROOT, encoding: 'utf8' });
  return { status: child.status, signal: child.signal, stdout: child.stdout, stderr: child.stderr };
}

describe('a 7,000-word sentence on the command line', () => {
  it('similarity with use-lite answers (exit 0), windowed around the word like run', () => {
    expect(Buffer.byteLength(LONG)).toBeGreaterThan(30_000);
    const result = launch('similarity', '--word', 'bank', '--model', 'use-lite', LONG, 'The bank near the river is calm.');
    expect(result.signal, result.stderr).toBeNull();
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/use-lite:layer-1\s+contextual\s+-?\d\.\d{4}/);
    expect(result.stderr).toMatch(/note: use-lite: sentence 1 is longer than the model's limit; cut to a window around "bank"/);
  });

  it('keeps exit codes through the relay (a usage error on a long command line is still exit 2)', () => {
    expect(Buffer.byteLength(LONG)).toBeGreaterThan(RELAY_ARGV_BYTES);
    const result = launch('similarity', '--word', 'bank', '--no-such-option', LONG);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/unknown option '--no-such-option'/);
  });
});

describe('the ONNX runner', () => {
  it("refuses a sequence longer than the model's limit, and embed() windows one that long", async () => {
    const prepared = await prepareUseLite(cacheDir());
    const parts = await loadOnnxParts(prepared.dir, { id: 'use-lite', cacheDir: cacheDir() });
    try {
      expect(parts.maxLength).toBe(128);
      const tooLong = Array.from({ length: parts.maxLength + 1 }, () => 5);
      expect(() => parts.runner.prepareBatch([tooLong])).toThrow(/a sequence of 129 tokens is longer than the model's limit of 128/);
      expect(() => parts.runner.prepareBatch([tooLong.slice(1)])).not.toThrow();
    } finally {
      await parts.runner.release();
    }
  });
});
