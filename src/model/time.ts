/** The one clock format of the journal, the report and the manifest: ISO 8601 in UTC, to the millisecond. */
export const now = (): string => new Date().toISOString();
