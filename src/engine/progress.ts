/** How rates and durations read in the status line and the report. */

export function formatRate(rowsPerSecond: number): string {
  if (rowsPerSecond >= 1e6) return `${(rowsPerSecond / 1e6).toFixed(1)}M rows/s`;
  if (rowsPerSecond >= 1e3) return `${(rowsPerSecond / 1e3).toFixed(1)}k rows/s`;
  return `${Math.round(rowsPerSecond)} rows/s`;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  if (seconds < 60) return `${Math.ceil(seconds)}s`;
  const m = Math.floor(seconds / 60);
  return `${m}m${String(Math.ceil(seconds - m * 60)).padStart(2, '0')}s`;
}
