import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ESLint } from 'eslint';
import { projectRoot } from '../../support/stack';

async function restrictedImportErrors(filePath: string, code: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: projectRoot() });
  const [result] = await eslint.lintText(code, { filePath: join(projectRoot(), filePath) });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('lint: core/ stays free of Node-RED', () => {
  it('rejects node-red, @node-red/* and nodes/ imports in core/', { timeout: 60_000 }, async () => {
    assert.equal((await restrictedImportErrors('core/ha/example.ts', "import 'node-red';\n")).length, 1);
    assert.equal((await restrictedImportErrors('core/ha/example.ts', "import '@node-red/util';\n")).length, 1);
    assert.equal((await restrictedImportErrors('core/ha/example.ts', "import '../../nodes/shared/status';\n")).length, 1);
  });

  it('allows the same imports outside core/', { timeout: 60_000 }, async () => {
    assert.deepEqual(await restrictedImportErrors('nodes/smarts-ha-meter/example.ts', "import 'node-red';\n"), []);
  });
});
