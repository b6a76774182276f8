/** A plain text table: columns padded to their widest cell, numbers right-aligned. */
export function formatTable(header: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number>>): string {
  const cells = [header, ...rows.map((row) => row.map((cell) => (typeof cell === 'number' ? cell.toLocaleString('en-US') : cell)))];
  const numeric = header.map((_, column) => rows.length > 0 && rows.every((row) => typeof row[column] === 'number'));
  const widths = header.map((_, column) => Math.max(...cells.map((row) => String(row[column] ?? '').length)));
  return cells
    .map((row) =>
      row
        .map((cell, column) => (numeric[column] ? String(cell).padStart(widths[column] ?? 0) : String(cell).padEnd(widths[column] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function formatInstant(date: Date | null): string {
  return date ? date.toISOString().slice(0, 16).replace('T', ' ') : '-';
}

/**
 * A duration for a person: `compact` (`42s`, `7m`, `3.5h`, `2.0d`) for lags in tables, `clock`
 * (`0:42`, `1:05:09`) for a time left that counts down on a progress line. `-` when unknown.
 */
export function formatDuration(seconds: number | null, style: 'compact' | 'clock' = 'compact'): string {
  if (seconds === null) return '-';
  if (style === 'clock') {
    const whole = Math.round(seconds);
    const h = Math.floor(whole / 3600);
    const m = Math.floor((whole % 3600) / 60);
    const s = String(whole % 60).padStart(2, '0');
    return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
  }
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)}m`;
  if (seconds < 172_800) return `${(seconds / 3600).toFixed(1)}h`;
  return `${(seconds / 86_400).toFixed(1)}d`;
}

/** Gap ranges as `from..to`, comma-separated; `-` when there are none. */
export function formatGaps(gaps: ReadonlyArray<{ readonly from: Date; readonly to: Date }>): string {
  return gaps.map((gap) => `${formatInstant(gap.from)}..${formatInstant(gap.to)}`).join(', ') || '-';
}
