import { InvalidArgumentError, type Command } from 'commander';
import { dirname, join, relative } from 'node:path';
import { ConfigError } from '../../../pipeline/errors.js';
import { writeReport } from '../../../pipeline/report/write-report.js';
import { loadLocalConfig, requireSetting } from '../load-config.js';

interface Output {
  readonly stdout: NodeJS.WritableStream;
}

export function registerReportCommand(program: Command, output: Output = { stdout: process.stdout }): void {
  program
    .command('report')
    .description('Write a static HTML dashboard of the local lake (statements, queue waits, alerts, CloudTrail activity).')
    .option('-c, --config <file>', 'config file (default: $OPSLAKE_CONFIG or ./opslake.yaml)')
    .option('-o, --out <file.html>', 'where to write it (default: report.html beside the config file)')
    .option('--days <n>', 'days covered, ending with the newest day in the lake', positiveInteger, 7)
    .action(async (flags: { config?: string; out?: string; days: number }) => {
      const { path, config } = await loadLocalConfig(flags.config);
      const lake = requireSetting(config.lake, 'lake', 'lake: in the config file (the lake folder)');
      if (lake.startsWith('s3://'))
        throw new ConfigError('lake', `${lake} is in S3; the report reads a local lake (use QuickSight or Athena for S3)`);
      const summary = await writeReport({
        lakeDir: lake,
        ...(config.catalog ? { catalogPath: config.catalog } : {}),
        out: flags.out ?? join(dirname(path), 'report.html'),
        days: flags.days,
      });
      const empty = summary.panels.filter((panel) => panel.rows === 0).map((panel) => panel.query);
      output.stdout.write(`Report for ${summary.fromDay} to ${summary.toDay}: ${relative(process.cwd(), summary.out) || summary.out}\n`);
      if (empty.length > 0) output.stdout.write(`No data yet for: ${empty.join(', ')}\n`);
    });
}

function positiveInteger(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1 || number > 3660) throw new InvalidArgumentError('a whole number of days from 1 to 3660');
  return number;
}
