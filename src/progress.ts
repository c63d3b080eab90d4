/**
 * Progress for long steps (embedding thousands of sentences, the probe, scoring): a cli-progress bar
 * on an interactive terminal; elsewhere (logs, CI output, pipes) nothing, or with `lines` one line
 * per step as it starts, so a long run without a terminal still says what it is doing.
 */
import { SingleBar, Presets } from 'cli-progress';

export interface Progress {
  update(label: string, done: number, total: number): void;
  stop(): void;
}

/** A progress bar on stderr when it is a TTY; otherwise a no-op, or with `lines` a line per step label. */
export function createProgress(stream: NodeJS.WriteStream = process.stderr, options: { readonly lines?: boolean } = {}): Progress {
  if (!stream.isTTY || process.env.CI) {
    if (options.lines !== true) return { update: () => undefined, stop: () => undefined };
    let last = '';
    return {
      update(label) {
        if (label === last) return;
        last = label;
        stream.write(`${label}\n`);
      },
      stop() {
        last = '';
      },
    };
  }
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
