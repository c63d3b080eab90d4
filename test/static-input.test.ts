/**
 * `static:PATH` reads only regular files whose size fits their header (issue 21 item 8):
 * `/dev/zero` used to grow past 2.7 GB, a FIFO to hang, and a header promising a billion words
 * allocated for them before reading one.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadStaticFile } from '../src/models/vector-formats.js';
import { tempDirs } from './helpers/temp-dirs.js';
import { cli } from './helpers/cli.js';
import { writeTinyCsv } from './helpers/tiny-inputs.js';

const newDir = tempDirs('static-input');

describe('static:PATH', () => {
  it('refuses a device and a directory, naming what they are', async () => {
    await expect(loadStaticFile('/dev/zero')).rejects.toThrow('/dev/zero: not a regular file (a device); static:PATH reads a vectors file');
    await expect(loadStaticFile(await newDir())).rejects.toThrow(/not a regular file \(a directory\)/);
  });

  it('refuses a named pipe at once instead of waiting for a writer', async () => {
    const fifo = join(await newDir(), 'vectors.fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    await expect(loadStaticFile(fifo)).rejects.toThrow(/not a regular file \(a named pipe\)/);
  });

  it('refuses a binary header that promises more than the file holds, before allocating for it', async () => {
    const dir = await newDir();
    const binary = join(dir, 'huge.bin');
    writeFileSync(binary, Buffer.concat([Buffer.from('1000000000 300\n'), Buffer.from('bank '), Buffer.alloc(1200)]));
    await expect(loadStaticFile(binary)).rejects.toThrow(/huge\.bin:1: the header announces 1,000,000,000 words of 300 dimensions \(at least 1,202,000,000,015 bytes\), but the file has 1,220 bytes/);
  });

  it('through the CLI: exit 2 with the message, no crash', async () => {
    const dir = await newDir();
    const result = await cli('run', '--dataset', writeTinyCsv(join(dir, 'a.csv')), '--model', 'static:/dev/zero', '--out', join(dir, 'out'));
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/sensebench: \/dev\/zero: not a regular file \(a device\)/);
  });
});
