/** Every test file removes the temp directories it made through test/support/temp.ts. */
import { afterAll } from 'vitest';
import { removeTempDirs } from '../support/temp.js';

afterAll(() => removeTempDirs());
