/** A plain text table: columns padded to their widest cell, numbers right-aligned. */
export function formatTable(header: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number>>): string {
  const cells = [header, ...rows.map((row) => row.map((cell) => (typeof cell === 'number' ? cell.toLocaleString('en-US') : cell)))];
  const numeric = header.map((_, column) => rows.length > 0 && rows.every((row) => typeof row[column] === 'number'));
  const widths = header.map((_, column) => Math.max(...cells.map((row) => String(row[column] ?? '').length)));
  return cells
    .map((row) =>
      row
        .map((cell, column) => (numeric[column] ? String(cell).padStart(widths[column]!) : String(cell).padEnd(widths[column]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function formatInstant(date: Date | null): string {
  return date ? date.toISOString().slice(0, 16).replace('T', ' ') : '-';
}

export function formatDuration(seconds: number | null): string {
  if (seconds === null) return '-';
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)}m`;
  if (seconds < 172_800) return `${(seconds / 3600).toFixed(1)}h`;
  return `${(seconds / 86_400).toFixed(1)}d`;
}

/** Gap ranges as `from..to`, comma-separated; `-` when there are none. */
export function formatGaps(gaps: ReadonlyArray<{ readonly from: Date; readonly to: Date }>): string {
  return gaps.map((gap) => `${formatInstant(gap.from)}..${formatInstant(gap.to)}`).join(', ') || '-';
}
