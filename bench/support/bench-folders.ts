/** Sizes and days of the lake's and the trail's files, read from the folders. */
import { existsSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** Raw CloudTrail files delivered on `day` (all accounts and regions): what reading that day as JSON means. */
export async function trailBytes(trailDir: string, day: string): Promise<number> {
  const datePath = `/${day.replaceAll('-', '/')}/`;
  let total = 0;
  for (const file of await walk(trailDir)) {
    if (file.endsWith('.json.gz') && /\/CloudTrail\//.test(file) && file.includes(datePath)) total += (await stat(file)).size;
  }
  return total;
}

/** The delivery day with the most raw CloudTrail bytes: a full day of the trail. */
export async function busiestTrailDay(trailDir: string): Promise<string | undefined> {
  if (!existsSync(trailDir)) return undefined;
  const byDay = new Map<string, number>();
  for (const file of await walk(trailDir)) {
    const match = /\/CloudTrail\/[^/]+\/(\d{4})\/(\d{2})\/(\d{2})\//.exec(file);
    if (!match || !file.endsWith('.json.gz')) continue;
    const day = `${match[1]}-${match[2]}-${match[3]}`;
    byDay.set(day, (byDay.get(day) ?? 0) + (await stat(file)).size);
  }
  return [...byDay].sort((a, b) => b[1] - a[1])[0]?.[0];
}

export async function hasDay(lakeDir: string, day: string): Promise<boolean> {
  const clusters = await readdir(join(lakeDir, 'redshift', 'stl_query')).catch(() => []);
  return clusters.some((cluster) => existsSync(join(lakeDir, 'redshift', 'stl_query', cluster, `day=${day}`)));
}

async function walk(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const files: string[] = [];
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await walk(path)));
    else files.push(path);
  }
  return files;
}

export async function folderBytes(dir: string): Promise<number> {
  return sumAsync((await walk(dir)).filter((file) => file.endsWith('.parquet')).map(async (file) => (await stat(file)).size));
}

export async function sumAsync(values: ReadonlyArray<Promise<number>>): Promise<number> {
  return (await Promise.all(values)).reduce((total, value) => total + value, 0);
}
