/**
 * On a terminal, the status line is drawn in place at the bottom and redrawn under every log line;
 * anywhere else it is a plain log line.
 */
import type { Logger } from '../model/log.js';
import type { StatusSink } from '../engine/status.js';

const CLEAR = '\r\x1b[K';

export function liveStatus(log: Logger, write: (text: string) => void): { log: Logger; sink: StatusSink } {
  let shown = '';
  const around =
    (fn: (m: string) => void) =>
    (m: string): void => {
      if (shown) write(CLEAR);
      fn(m);
      if (shown) write(shown);
    };
  return {
    log: {
      debug: around(log.debug),
      info: around(log.info),
      warn: around(log.warn),
      error: around(log.error),
      group: (title, fn) => {
        if (shown) write(CLEAR);
        const done = log.group(title, fn); // the title is printed before the first await
        if (shown) write(shown);
        return done;
      },
    },
    sink: {
      line(text, final) {
        shown = final ? '' : text;
        write(CLEAR + text + (final ? '\n' : ''));
      },
    },
  };
}
