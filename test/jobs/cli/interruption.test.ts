import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { describeTakeOver, EXIT_LEASE_HELD, Interruption, interruptedExitCode } from '../../../jobs/cli/interruption.js';

let open: Interruption | undefined;
afterEach(() => open?.dispose());

function capture(): { out: PassThrough; text: () => string } {
  const out = new PassThrough();
  let text = '';
  out.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  return { out, text: () => text };
}

describe('Interruption', () => {
  it('turns the first SIGINT into an aborted signal and exit code 130, and says what happens next', () => {
    const { out, text } = capture();
    open = new Interruption(out);
    expect(open.signal.aborted).toBe(false);
    expect(open.exitCode(0)).toBe(0);
    process.emit('SIGINT');
    expect(open.signal.aborted).toBe(true);
    expect(open.received).toBe('SIGINT');
    expect(open.exitCode(0)).toBe(130);
    expect(text()).toContain('SIGINT: stopping at the next safe point');
  });

  it('maps SIGTERM to 143, and stops listening once disposed', () => {
    open = new Interruption(capture().out);
    const before = process.listenerCount('SIGTERM');
    process.emit('SIGTERM');
    expect(open.exitCode(1)).toBe(143);
    open.dispose();
    expect(process.listenerCount('SIGTERM')).toBe(before - 1);
    expect(interruptedExitCode('SIGINT')).toBe(130);
    expect(EXIT_LEASE_HELD).toBe(75);
  });

  it('shows the holder of a lease it takes over and how long ago it was last renewed', () => {
    const line = describeTakeOver(
      {
        scope: 'compaction',
        holder: 'compact-1234',
        expiresAt: new Date('2024-03-04T10:02:00Z'),
        renewedAt: new Date('2024-03-04T10:00:00Z'),
      },
      new Date('2024-03-04T10:07:00Z'),
    );
    expect(line).toBe(
      'opslake: taking over the lease on compaction from compact-1234 ' +
        '(last renewed 7 min ago; it would expire at 2024-03-04T10:02:00.000Z)\n',
    );
  });
});
