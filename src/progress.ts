/**
 * Progress for long steps (embedding thousands of sentences): a cli-progress bar on an interactive
 * terminal only, so logs, CI output and pipes stay clean.
 */
import { SingleBar, Presets } from 'cli-progress';

export interface Progress {
  update(label: string, done: number, total: number): void;
  stop(): void;
}

/** A progress bar on stderr when it is a TTY; otherwise a no-op. */
export function createProgress(stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY || process.env.CI) return { update: () => undefined, stop: () => undefined };
  let bar: SingleBar | null = null;
  let current = '';
  return {
    update(label, done, total) {
      if (bar === null || label !== current) {
        bar?.stop();
        current = label;
        bar = new SingleBar({ stream, format: `${label} [{bar}] {value}/{total} {percentage}% eta {eta}s`, hideCursor: true }, Presets.shades_classic);
        bar.start(total, done);
      } else bar.update(done);
    },
    stop() {
      bar?.stop();
      bar = null;
    },
  };
}
