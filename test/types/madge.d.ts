/** The part of madge's API (madge has no type declarations of its own) that test/architecture.test.ts uses. */
declare module 'madge' {
  interface MadgeConfig {
    readonly fileExtensions?: readonly string[];
    /** A tsconfig.json path: imports are resolved as TypeScript resolves them (`./x.js` -> `./x.ts`). */
    readonly tsConfig?: string;
  }
  interface MadgeResult {
    /** Every file (relative to the base directory) with the files it imports, type-only and dynamic imports included. */
    obj(): Record<string, string[]>;
    /** Every import cycle, as the files on it. */
    circular(): string[][];
    /** Imports that could not be resolved. */
    warnings(): { skipped: string[] };
  }
  export default function madge(path: string, config?: MadgeConfig): Promise<MadgeResult>;
}
