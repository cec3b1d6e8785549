/** Cells of a result row as plain values: NULL reads as '' or 0; a switch as a boolean. */
export const str = (v: unknown): string => (v === null || v === undefined ? '' : String(v));
export const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
export const bool = (v: unknown): boolean => ['1', 'ON', 'TRUE'].includes(str(v).toUpperCase());
