/**
 * The example workflows and the repository's own workflows are valid workflow YAML, every `with:`
 * key given to this action is an input action.yml declares, and action.yml matches the code.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { readActionSettings } from '../../src/action/inputs.js';
import { OUTPUTS } from '../../src/action/run.js';

const ROOT = join(import.meta.dirname, '..', '..');
const VALIDATOR = join(ROOT, 'node_modules', '@action-validator', 'cli', 'cli.mjs');
const files = [
  ...readdirSync(join(ROOT, 'docs', 'examples')).map((f) => join('docs', 'examples', f)),
  ...readdirSync(join(ROOT, '.github', 'workflows')).map((f) => join('.github', 'workflows', f)),
].filter((f) => f.endsWith('.yml'));

interface ActionYml {
  inputs: Record<string, { description?: string; required?: boolean; default?: unknown }>;
  outputs: Record<string, { description?: string }>;
  runs: { using: string; main: string; post: string; 'post-if': string };
}
const action = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as ActionYml;

function ourSteps(wf: {
  jobs?: Record<string, { steps?: { uses?: string; with?: Record<string, unknown> }[] }>;
}) {
  return Object.values(wf.jobs ?? {})
    .flatMap((j) => j.steps ?? [])
    .filter((s) => s.uses === './' || /^binlog-flusher\/binlog-flusher@/.test(s.uses ?? ''));
}

describe('workflow files', () => {
  it('there are the examples the README promises', () => {
    expect(files).toEqual(
      expect.arrayContaining([
        'docs/examples/scheduled-flush.yml',
        'docs/examples/manual-flush.yml',
        'docs/examples/recover-on-failure.yml',
        'docs/examples/shard-matrix.yml',
        '.github/workflows/ci.yml',
        '.github/workflows/check-dist.yml',
      ]),
    );
  });
  it.each(files)('%s is valid workflow YAML (action-validator)', (f) => {
    const out = (() => {
      try {
        return execFileSync(process.execPath, [VALIDATOR, join(ROOT, f)], {
          encoding: 'utf8',
          stdio: 'pipe',
        });
      } catch (e) {
        return `FAILED ${(e as { stdout?: string }).stdout ?? ''}`;
      }
    })();
    expect(out).toBe('');
  });
  it.each(files)('%s gives this action only inputs action.yml declares', (f) => {
    const wf = parse(readFileSync(join(ROOT, f), 'utf8')) as Parameters<typeof ourSteps>[0];
    for (const step of ourSteps(wf)) {
      for (const key of Object.keys(step.with ?? {}))
        expect(Object.keys(action.inputs), `${f}: with.${key}`).toContain(key);
      expect(step.with?.host, `${f}: host is required`).toBeTruthy();
    }
  });
  it.each(files)('%s checks the repository out before a step runs a script of it', (f) => {
    const wf = parse(readFileSync(join(ROOT, f), 'utf8')) as {
      jobs?: Record<string, { steps?: { uses?: string; run?: string }[] }>;
    };
    for (const [name, job] of Object.entries(wf.jobs ?? {})) {
      const steps = job.steps ?? [];
      const checkout = steps.findIndex((x) => /^actions\/checkout@/.test(x.uses ?? ''));
      steps.forEach((x, i) => {
        if (/(^|\s)\.{1,2}\//.test(x.run ?? ''))
          expect(checkout >= 0 && checkout < i, `${f}: job ${name}, step ${i + 1} runs ${x.run}`).toBe(true);
      });
    }
  });
  it('the validator itself rejects a broken workflow', () => {
    expect(() =>
      execFileSync(process.execPath, [VALIDATOR, join(ROOT, 'package.json')], { stdio: 'pipe' }),
    ).toThrow();
  });
});

describe('action.yml', () => {
  it('runs the committed bundle on node24 with an always-run post step', () => {
    expect(action.runs.using).toBe('node24');
    expect(action.runs['post-if']).toBe('always()');
    expect(existsSync(join(ROOT, action.runs.main))).toBe(true);
    expect(existsSync(join(ROOT, action.runs.post))).toBe(true);
  });
  it('every input has a description and a string default', () => {
    for (const [name, i] of Object.entries(action.inputs)) {
      expect(i.description, name).toBeTruthy();
      expect(typeof i.default, name).toBe('string');
    }
  });
  it('declares exactly the outputs the code sets', () => {
    expect(Object.keys(action.outputs).sort()).toEqual([...OUTPUTS].sort());
  });
  it('declares every input the code reads', () => {
    const read = new Set<string>();
    readActionSettings((n) => {
      read.add(n);
      return n === 'host' ? 'db1' : n === 'databases' ? '*' : '';
    }, {});
    for (const n of read) expect(Object.keys(action.inputs), n).toContain(n);
    expect([...read].sort()).toEqual(Object.keys(action.inputs).sort());
  });
});
