import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ESLint } from 'eslint';
import { projectRoot } from '../../support/stack';

async function lintErrors(filePath: string, code: string, rules: string[]): Promise<string[]> {
  const eslint = new ESLint({ cwd: projectRoot() });
  const [result] = await eslint.lintText(code, { filePath: join(projectRoot(), filePath) });
  return (result?.messages ?? []).filter((m) => m.ruleId !== null && rules.includes(m.ruleId)).map((m) => m.message);
}

async function restrictedImportErrors(filePath: string, code: string): Promise<string[]> {
  return lintErrors(filePath, code, ['no-restricted-imports']);
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

describe('lint: no code from data in the product', () => {
  const codeFromData = ['no-eval', 'no-implied-eval', 'no-new-func'];
  it('rejects eval and new Function in core/ and nodes/ (a string timer does not type-check: Node types take a callback)', { timeout: 60_000 }, async () => {
    for (const filePath of ['core/ha/example.ts', 'nodes/smarts-anomaly/example.ts']) {
      assert.equal((await lintErrors(filePath, 'export const f = (s: string) => eval(s);\n', codeFromData)).length, 1, `${filePath}: eval`);
      assert.equal((await lintErrors(filePath, "export const g = new Function('a', 'return a');\n", codeFromData)).length, 1, `${filePath}: new Function`);
    }
  });

  it('the whole tree lints clean (these rules and the rest of eslint.config.mjs)', { timeout: 300_000 }, async () => {
    const eslint = new ESLint({ cwd: projectRoot() });
    const results = await eslint.lintFiles(['.']);
    const found = results.flatMap((result) => result.messages.map((m) => `${result.filePath}:${m.line} ${m.ruleId ?? ''} ${m.message}`));
    assert.deepEqual(found, []);
  });
});
