import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { projectRoot } from '../../support/stack';
import { homesDir, seedFile } from '../../support/test-data';

describe('a clone is whole', () => {
  it('keeps the seed files and the real homes in the repository', () => {
    for (const name of ['mwh_20180805.json', 'hour_profile.json', 'udf_cases.json', 'README.md']) assert.ok(existsSync(seedFile(name)), name);
    for (const name of ['uci_household_power_hourly_2006-2010.csv', 'lcl_MAC000002_halfhourly_2013.csv', 'lcl_MAC000010_halfhourly_2013.csv', 'README.md']) {
      assert.ok(existsSync(join(homesDir(), name)), name);
    }
    assert.match(readFileSync(join(homesDir(), 'README.md'), 'utf8'), /CC BY 4\.0/, 'the attribution and licence notes stay beside the data');
  });

  it('reads nothing from a folder beside the clone', () => {
    const tracked = execFileSync('git', ['ls-files', 'core', 'nodes', 'scripts', 'test', 'bin', 'package.json', '.ci'], { cwd: projectRoot(), encoding: 'utf8' })
      .split('\n')
      .filter((file) => /\.(ts|mjs|js|sh|json)$/.test(file) && !file.startsWith('test/data/') && file !== 'test/unit/lint/self-contained.test.ts');
    const offenders = tracked.filter((file) => /\.\.\/shared\/(seed|data|reference)|'\.\.', 'shared'/.test(readFileSync(join(projectRoot(), file), 'utf8')));
    assert.deepEqual(offenders, []);
  });
});
