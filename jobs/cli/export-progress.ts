import type { ExportEvent } from '../../pipeline/redshift/export-events.js';
import { DIALECTS } from '../../pipeline/tables/registry.js';
import { describeTakeOver } from './interruption.js';

/**
 * Progress of a long export on stderr: on a terminal one line rewritten in place at most a few
 * times a second; otherwise a line per table as it starts and every 100 slots.
 */
export class ExportProgress {
  readonly #out: NodeJS.WritableStream & { isTTY?: boolean };
  readonly #tables = new Map<string, { slots: number; done: number; rows: number }>();
  #lastDraw = 0;

  constructor(out: NodeJS.WritableStream & { isTTY?: boolean } = process.stderr) {
    this.#out = out;
  }

  readonly onEvent = (event: ExportEvent): void => {
    const id = 'table' in event ? `${event.cluster}/${event.table}` : event.cluster;
    switch (event.type) {
      case 'cluster-start':
        this.#line(`${event.cluster}: cluster clock ${event.now}, read through its ${DIALECTS[event.dialect].title} views`);
        break;
      case 'lease-taken-over':
        this.#out.write(describeTakeOver({ ...event, scope: `cluster#${event.cluster}` }));
        break;
      case 'gap':
        this.#line(
          `${id}: rows from ${event.from.toISOString()} to ${event.to.toISOString()} ` +
            'were dropped by the cluster before export (gap recorded)',
        );
        break;
      case 'table-planned':
        this.#tables.set(id, { slots: event.slots, done: 0, rows: 0 });
        if (!this.#out.isTTY) this.#line(`${id}: ${event.slots} slots to export, ${event.sealed} to seal`);
        break;
      case 'slot-written': {
        const table = this.#tables.get(id);
        if (!table) return;
        table.done += 1;
        table.rows += event.rows;
        if (this.#out.isTTY) this.#draw(`${id}: slot ${table.done}/${table.slots}, ${table.rows.toLocaleString('en-US')} rows`);
        else if (table.done % 100 === 0)
          this.#line(`${id}: ${table.done}/${table.slots} slots, ${table.rows.toLocaleString('en-US')} rows`);
        break;
      }
    }
  };

  /** Clears the in-place line before the caller prints its summary. */
  finish(): void {
    if (this.#out.isTTY) this.#out.write('\r\x1b[K');
  }

  #draw(text: string): void {
    const now = Date.now();
    if (now - this.#lastDraw < 200) return;
    this.#lastDraw = now;
    this.#out.write(`\r\x1b[K${text}`);
  }

  #line(text: string): void {
    this.#out.write(this.#out.isTTY ? `\r\x1b[K${text}\n` : `${text}\n`);
  }
}
