import { type ConfigLocation, describeType } from './config-location.js';

/** How compaction runs (DESIGN.md §2); `compaction:` in opslake.yaml, environment variables in Lambda. */
export interface CompactionSettings {
  /**
   * How long after the end of its UTC day a CloudTrail partition may still receive files. Default
   * 120: CloudTrail delivers within 5 to 15 minutes as a rule, and two hours leave room for the
   * late files that exist without waiting a day. The schedule runs more often than this (hourly),
   * so a file later still is folded in, and visible, within the lateness of its arrival.
   */
  readonly cloudtrailLatenessMinutes: number;
  /** Size a compacted file grows to before the next one starts. Default 128 (Athena's sweet spot). */
  readonly targetFileMb: number;
  /** How long superseded objects stay after a switch; longer than the longest query. Default 60. */
  readonly graceMinutes: number;
  /**
   * DuckDB's memory limit while compacting; it spills beyond it. Default 1024: a time bucket is an
   * eighth of it and a row group at most a 32nd, leaving DuckDB 1.5's Parquet writer the headroom
   * it needs (close to its limit, its final flush was measured to crash: 4 runs in 14 at 256 MB).
   */
  readonly memoryLimitMb: number;
}

export const DEFAULT_COMPACTION_SETTINGS: CompactionSettings = Object.freeze({
  cloudtrailLatenessMinutes: 120,
  targetFileMb: 128,
  graceMinutes: 60,
  memoryLimitMb: 1_024,
});

export const COMPACTION_SETTINGS_KEYS = ['cloudtrailLatenessMinutes', 'targetFileMb', 'graceMinutes', 'memoryLimitMb'] as const;

const RANGES: Readonly<Record<keyof CompactionSettings, { min: number; max: number }>> = {
  cloudtrailLatenessMinutes: { min: 15, max: 2_880 },
  targetFileMb: { min: 1, max: 1_024 },
  graceMinutes: { min: 0, max: 10_080 },
  memoryLimitMb: { min: 64, max: 16_384 },
};

/** Validates `compaction:`; absent keys take DEFAULT_COMPACTION_SETTINGS. */
export function validateCompactionSettings(raw: unknown, at: ConfigLocation): CompactionSettings {
  if (raw === undefined) return { ...DEFAULT_COMPACTION_SETTINGS };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw at.error(`expected an object of key: value pairs, got ${describeType(raw)}`);
  }
  const record = raw as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!(COMPACTION_SETTINGS_KEYS as readonly string[]).includes(key)) {
      throw at.key(key).error(`unknown key "${key}"; allowed keys: ${COMPACTION_SETTINGS_KEYS.join(', ')}`);
    }
  }
  const settings: Record<string, number> = { ...DEFAULT_COMPACTION_SETTINGS };
  for (const key of COMPACTION_SETTINGS_KEYS) {
    const value = record[key];
    if (value === undefined) continue;
    const range = RANGES[key];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < range.min || value > range.max) {
      throw at.key(key).error(`expected a whole number from ${range.min} to ${range.max}, got ${JSON.stringify(value)}`);
    }
    settings[key] = value;
  }
  return settings as unknown as CompactionSettings;
}
