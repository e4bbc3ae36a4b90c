import { createRequire } from 'node:module';
import { join } from 'node:path';
import { projectRoot } from '../../support/stack';

/**
 * js-yaml, which Node-RED and ESLint already install, loaded for tests only (a dev-only import:
 * the product does not read YAML). Home Assistant's `!include` tags parse to `{ include: path }`.
 */
interface YamlType {
  readonly tag: string;
}
interface YamlSchema {
  extend(types: YamlType[]): YamlSchema;
}
interface JsYaml {
  load(text: string, options?: { schema?: YamlSchema; filename?: string }): unknown;
  Type: new (tag: string, options: { kind: 'scalar'; construct: (data: string) => unknown }) => YamlType;
  DEFAULT_SCHEMA: YamlSchema;
}

const jsYaml = createRequire(join(projectRoot(), 'package.json'))('js-yaml') as JsYaml;

const homeAssistantSchema = jsYaml.DEFAULT_SCHEMA.extend(
  ['!include', '!include_dir_merge_list', '!include_dir_list', '!secret'].map(
    (tag) => new jsYaml.Type(tag, { kind: 'scalar', construct: (data) => ({ [tag.slice(1)]: data }) }),
  ),
);

export function parseYaml(text: string, filename?: string): unknown {
  return jsYaml.load(text, { schema: homeAssistantSchema, filename });
}
