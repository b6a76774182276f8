import type { Command } from 'commander';
import { openStateStore } from '../../shared/open-stores.js';
import { loadLocalConfig, requireSetting } from '../load-config.js';
import { formatDuration, formatInstant, formatTable } from '../table-format.js';

export function registerStatusCommand(program: Command): void {
  program
    .command('status')
    .description('Show watermarks, lag and recorded gaps per cluster and table.')
    .option('-c, --config <file>', 'config file (default: $OPSLAKE_CONFIG or ./opslake.yaml)')
    .option('--json', 'print JSON instead of a table')
    .action(async (flags: { config?: string; json?: boolean }) => {
      const { config } = await loadLocalConfig(flags.config);
      const state = openStateStore(requireSetting(config.state, 'state', 'state: in the config file'), 'state');
      const watermarks = [...(await state.listWatermarks())].sort((a, b) => `${a.cluster}/${a.table}`.localeCompare(`${b.cluster}/${b.table}`));
      const now = Date.now();
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(watermarks, null, 2)}\n`);
        return;
      }
      if (watermarks.length === 0) {
        process.stdout.write('No watermarks yet: run `opslake export` first.\n');
        return;
      }
      const rows = watermarks.map((mark) => [
        mark.cluster,
        mark.table,
        formatInstant(mark.sealedThrough),
        formatDuration(mark.sealedThrough ? Math.round((now - mark.sealedThrough.getTime()) / 1000) : null),
        mark.gaps.length,
        mark.gaps.map((gap) => `${formatInstant(gap.from)}..${formatInstant(gap.to)}`).join(', ') || '-',
      ]);
      process.stdout.write(`${formatTable(['cluster', 'table', 'sealed through (UTC)', 'lag', 'gaps', 'gap ranges'], rows)}\n`);
    });
}
