/**
 * Exit codes a scheduler can tell apart (README, `opslake --help`): 0 done; 1 failed; 75 (BSD's
 * EX_TEMPFAIL) nothing done because another run holds the lease, try later; 130 and 143
 * interrupted by SIGINT and SIGTERM (128 + the signal), what was committed said on stdout.
 */
export const EXIT_FAILED = 1;
export const EXIT_LEASE_HELD = 75;

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;
type StopSignal = (typeof SIGNALS)[number];

export function interruptedExitCode(signal: StopSignal): number {
  return signal === 'SIGINT' ? 130 : 143;
}

/**
 * SIGINT (Ctrl-C) and SIGTERM during a long command: the first aborts `signal`, and the work
 * stops at its next safe point (between slots, batches of files, partitions), commits what it
 * finished, gives its leases back and says what was committed. A second one stops the process
 * at once; a lease it held then expires by itself (2 minutes) or is taken over with
 * `--take-over-lease`.
 */
export class Interruption {
  readonly #controller = new AbortController();
  readonly #out: NodeJS.WritableStream;
  #received: StopSignal | undefined;
  readonly #listeners = new Map<StopSignal, () => void>();

  constructor(out: NodeJS.WritableStream = process.stderr) {
    this.#out = out;
    for (const name of SIGNALS) {
      const listener = () => this.#onSignal(name);
      this.#listeners.set(name, listener);
      process.on(name, listener);
    }
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** The signal that interrupted the run, if one did. */
  get received(): StopSignal | undefined {
    return this.#received;
  }

  /** The exit code of an interrupted run, or `code` when it was not interrupted. */
  exitCode(code: number): number {
    return this.#received === undefined ? code : interruptedExitCode(this.#received);
  }

  dispose(): void {
    for (const [name, listener] of this.#listeners) process.off(name, listener);
    this.#listeners.clear();
  }

  #onSignal(name: StopSignal): void {
    if (this.#received !== undefined) {
      this.#out.write(`\nopslake: ${name} again: stopping now; a lease left behind expires within 2 minutes\n`);
      process.exit(interruptedExitCode(name));
    }
    this.#received = name;
    this.#out.write(
      `\nopslake: ${name}: stopping at the next safe point; what is finished stays committed and leases are released ` +
        '(send it again to stop at once)\n',
    );
    this.#controller.abort();
  }
}

/** Runs `work` with SIGINT and SIGTERM turned into an aborted signal; the handlers are removed afterwards. */
export async function withInterruption<T>(work: (interruption: Interruption) => Promise<T>): Promise<T> {
  const interruption = new Interruption();
  try {
    return await work(interruption);
  } finally {
    interruption.dispose();
  }
}

/** What `--take-over-lease` shows before it takes a lease: the holder, when it was last seen alive, when the lease would expire. */
export function describeTakeOver(
  held: { readonly scope: string; readonly holder: string; readonly expiresAt: Date; readonly renewedAt?: Date | undefined },
  now: Date = new Date(),
): string {
  const seen = held.renewedAt === undefined ? 'never renewed' : `last renewed ${formatAge(now.getTime() - held.renewedAt.getTime())} ago`;
  return (
    `opslake: taking over the lease on ${held.scope} from ${held.holder} ` +
    `(${seen}; it would expire at ${held.expiresAt.toISOString()})\n`
  );
}

function formatAge(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  return `${Math.round(seconds / 3600)} h`;
}
