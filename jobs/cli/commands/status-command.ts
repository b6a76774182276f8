import type { Command } from 'commander';
import { loadLocalConfig } from '../load-config.js';
import { openConfiguredState } from '../run-export.js';
import { formatDuration, formatGaps, formatInstant, formatTable } from '../table-format.js';

export function registerStatusCommand(program: Command): void {
  program
    .command('status')
    .description('Show watermarks, lag and recorded gaps per cluster and table.')
    .option('-c, --config <file>', 'config file (default: $OPSLAKE_CONFIG or ./opslake.yaml)')
    .option('--json', 'print JSON instead of a table')
    .action(async (flags: { config?: string; json?: boolean }) => {
      const { config } = await loadLocalConfig(flags.config);
      const state = openConfiguredState(config);
      const stored = await state.listWatermarks();
      // Every configured (cluster, table), also those with nothing sealed yet, then any
      // watermark left from a cluster or table no longer configured.
      const configured = config.clusters.flatMap((cluster) => cluster.tables.map((table) => ({ cluster: cluster.name, table })));
      const watermarks = [
        ...configured.map(
          (key) =>
            stored.find((mark) => mark.cluster === key.cluster && mark.table === key.table) ?? {
              ...key,
              sealedThrough: null,
              version: 0,
              gaps: [],
              updatedAt: null,
            },
        ),
        ...stored.filter((mark) => !configured.some((key) => key.cluster === mark.cluster && key.table === mark.table)),
      ];
      const now = Date.now();
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(watermarks, null, 2)}\n`);
        return;
      }
      if (watermarks.length === 0) {
        process.stdout.write('No clusters configured and no watermarks stored.\n');
        return;
      }
      const rows = watermarks.map((mark) => [
        mark.cluster,
        mark.table,
        mark.sealedThrough ? formatInstant(mark.sealedThrough) : 'not yet (no rows seen)',
        formatDuration(mark.sealedThrough ? Math.round((now - mark.sealedThrough.getTime()) / 1000) : null),
        mark.gaps.length,
        formatGaps(mark.gaps),
      ]);
      process.stdout.write(`${formatTable(['cluster', 'table', 'sealed through (UTC)', 'lag', 'gaps', 'gap ranges'], rows)}\n`);
    });
}
