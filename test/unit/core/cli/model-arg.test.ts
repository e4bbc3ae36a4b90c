import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { resolveModelArg } from '../../../../core/cli/model-arg';

describe('resolveModelArg', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'model-arg-'));
  const cwd = join(scratch, 'work');
  const shipped = join(scratch, 'package-models');
  mkdirSync(join(shipped, 'seed-hour-profile'), { recursive: true });
  writeFileSync(join(shipped, 'seed-hour-profile', 'metadata.json'), '{}');
  mkdirSync(join(cwd, 'models', 'mine'), { recursive: true });
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it('keeps a path that exists', () => {
    assert.equal(resolveModelArg('models/mine', cwd, shipped), join(cwd, 'models', 'mine'));
  });
  it('finds a shipped model named bare or as models/<name>', () => {
    assert.equal(resolveModelArg('seed-hour-profile', cwd, shipped), join(shipped, 'seed-hour-profile'));
    assert.equal(resolveModelArg('models/seed-hour-profile/', cwd, shipped), join(shipped, 'seed-hour-profile'));
  });
  it('leaves any other missing path as given, so the error names it', () => {
    assert.equal(resolveModelArg('elsewhere/seed-hour-profile', cwd, shipped), join(cwd, 'elsewhere', 'seed-hour-profile'));
    assert.equal(resolveModelArg('no-such-model', cwd, shipped), join(cwd, 'no-such-model'));
  });
});
