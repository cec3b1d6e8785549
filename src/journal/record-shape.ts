/**
 * The shape of a journal record's fields, checked when the journal is read: small composable checks,
 * each of which answers `undefined` when a value fits, else the path of the field that does not
 * (`seq`, `binlog.file`, `acks[0].rows`; '' for the value itself). Pure; no journal types here.
 */
export type Shape = (v: unknown) => string | undefined;

const fits = (ok: boolean): string | undefined => (ok ? undefined : '');

/** Any value (a field read for the record only, never acted on). */
export const anything: Shape = () => undefined;
export const text: Shape = (v) => fits(typeof v === 'string');
/** A whole number (a table id, a chunk's seq, a count). */
export const whole: Shape = (v) => fits(Number.isInteger(v));
/** One of these values exactly. */
export const oneOf =
  (values: readonly unknown[]): Shape =>
  (v) =>
    fits(values.includes(v));
/** A value that passes `test` (a check of its own, with no field inside to name). */
export const that =
  (test: (v: unknown) => boolean): Shape =>
  (v) =>
    fits(test(v));
export const optional =
  (shape: Shape): Shape =>
  (v) =>
    v === undefined ? undefined : shape(v);
export const nullOr =
  (shape: Shape): Shape =>
  (v) =>
    v === null ? undefined : shape(v);

/** An array whose every item has `item`'s shape. */
export const listOf =
  (item: Shape): Shape =>
  (v) => {
    if (!Array.isArray(v)) return '';
    for (let i = 0; i < v.length; i++) {
      const wrong = item(v[i]);
      if (wrong !== undefined) return `[${i}]${wrong && !wrong.startsWith('[') ? '.' : ''}${wrong}`;
    }
    return undefined;
  };

/** An object (not an array) whose named fields have their shapes; other fields are not looked at. */
export const fields =
  (shapes: Readonly<Record<string, Shape>>): Shape =>
  (v) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return '';
    for (const [name, shape] of Object.entries(shapes)) {
      const wrong = shape((v as Record<string, unknown>)[name]);
      if (wrong !== undefined) return `${name}${wrong && !wrong.startsWith('[') ? '.' : ''}${wrong}`;
    }
    return undefined;
  };
