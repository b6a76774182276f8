import { writeFileSync } from 'node:fs';
import { main } from '../../jobs/cli/main.js';

/**
 * The CLI's own entry (jobs/cli/entry.ts) plus one line for the fault suite: at exit, the peak
 * RSS of the process (KiB) goes to the file named by OPSLAKE_PEAK_RSS_FILE.
 */
const rssFile = process.env.OPSLAKE_PEAK_RSS_FILE;
process.on('exit', () => {
  if (rssFile) writeFileSync(rssFile, String(process.resourceUsage().maxRSS));
});
process.exitCode = await main(process.argv.slice(2));
