/**
 * What the action registers with the runner's own masking (`core.setSecret`): the runner masks a
 * value wherever its characters occur, inside words too, so a 1-to-3-character password is kept
 * out of it (our own output never holds it) and the step warns, naming only the input.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';

const setSecret = vi.fn();
vi.mock('@actions/core', () => ({ setSecret }));

const { registerSecret } = await import('../../src/action/core-io.js');
const { redact } = await import('../../src/model/log.js');

describe('registerSecret', () => {
  beforeEach(() => setSecret.mockClear());

  it('a password of 4 or more characters goes to the runner and to our own redaction', () => {
    expect(registerSecret('password', 'hunter22')).toBeUndefined();
    expect(setSecret).toHaveBeenCalledWith('hunter22');
    expect(redact('password=hunter22')).toBe('password=***');
  });

  it.each(['a', 'ab', 'app'])('%s: not given to the runner; a warning that names the input only', (pw) => {
    const warning = registerSecret('password', pw);
    expect(setSecret).not.toHaveBeenCalled();
    expect(warning).toMatch(/^the password input is shorter than 4 characters/);
    expect(redact(warning!)).toBe(warning);
    expect(redact(`password=${pw}`)).toBe('password=***');
  });

  it('an empty value registers nothing', () => {
    expect(registerSecret('password', '')).toBeUndefined();
    expect(setSecret).not.toHaveBeenCalled();
  });
});
