import { EXPORT_TABLE_NAMES, isExportTableName, type ExportTableName } from '../tables/registry.js';
import { type ConfigLocation, describeType, quote } from './config-location.js';
import { asRecord, checkKeys, integerField } from './config-fields.js';
import { DEFAULT_EXPORT_SETTINGS, type ExportSettings } from './opslake-config.js';

export const EXPORT_SETTINGS_KEYS = ['slotMinutes', 'latenessMinutes', 'concurrency'] as const;

const MINUTES_PER_DAY = 1440;

const SLOT_MINUTES = { min: 5, max: MINUTES_PER_DAY } as const;

const LATENESS_MINUTES = { min: 0, max: MINUTES_PER_DAY } as const;

const CONCURRENCY = { min: 1, max: 32 } as const;

/** Validates export settings; absent keys take DEFAULT_EXPORT_SETTINGS. */
export function validateExportSettings(raw: unknown, at: ConfigLocation): ExportSettings {
  if (raw === undefined) return { ...DEFAULT_EXPORT_SETTINGS };
  const record = asRecord(raw, at);
  checkKeys(record, EXPORT_SETTINGS_KEYS, at);

  const slotMinutes = integerField(record, 'slotMinutes', at, SLOT_MINUTES) ?? DEFAULT_EXPORT_SETTINGS.slotMinutes;
  // The lake names a slot's object by its UTC day; a slot that crossed midnight would belong
  // to two day partitions at once.
  if (MINUTES_PER_DAY % slotMinutes !== 0) {
    throw at
      .key('slotMinutes')
      .error(
        `${slotMinutes} does not divide a day (1440 minutes), so slots would cross UTC midnight; choose one of ${slotChoices().join(', ')}`,
      );
  }
  return {
    slotMinutes,
    latenessMinutes: integerField(record, 'latenessMinutes', at, LATENESS_MINUTES) ?? DEFAULT_EXPORT_SETTINGS.latenessMinutes,
    concurrency: integerField(record, 'concurrency', at, CONCURRENCY) ?? DEFAULT_EXPORT_SETTINGS.concurrency,
  };
}

/** Tables to export, each checked against the registry; absent means all of them. */
export function validateTables(raw: unknown, at: ConfigLocation): readonly ExportTableName[] {
  const choices = `choose from ${EXPORT_TABLE_NAMES.join(', ')}`;
  if (raw === undefined) return [...EXPORT_TABLE_NAMES];
  if (!Array.isArray(raw)) throw at.error(`expected a list of tables, got ${describeType(raw)}; ${choices}`);
  if (raw.length === 0) {
    throw at.error('lists no tables; list at least one, leave tables out to export all of them, or set enabled: false');
  }
  const firstSeen = new Map<string, number>();
  return raw.map((value: unknown, position) => {
    const tableAt = at.index(position);
    if (!isExportTableName(value)) {
      const what =
        typeof value === 'string' ? `${quote(value)} is not an exportable table` : `expected a table name, got ${describeType(value)}`;
      throw tableAt.error(`${what}; ${choices}`);
    }
    const earlier = firstSeen.get(value);
    if (earlier !== undefined) throw tableAt.error(`${quote(value)} is listed twice (also at tables[${earlier}])`);
    firstSeen.set(value, position);
    return value;
  });
}

function slotChoices(): number[] {
  const choices: number[] = [];
  for (let minutes = SLOT_MINUTES.min; minutes <= SLOT_MINUTES.max; minutes += 1) {
    if (MINUTES_PER_DAY % minutes === 0) choices.push(minutes);
  }
  return choices;
}
