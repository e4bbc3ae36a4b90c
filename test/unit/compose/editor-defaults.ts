import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';

type Validate = (this: Record<string, unknown>, value: unknown, options?: unknown) => boolean | string;

export interface PropertyDefault {
  value: unknown;
  required?: boolean;
  type?: string;
  validate?: Validate;
}

export interface EditorDefinition {
  category: string;
  paletteLabel?: unknown;
  defaults: Record<string, PropertyDefault>;
  /** Per property, the values its dialog's `<select>` offers. */
  options: Record<string, string[]>;
}

/** RED.validators as Node-RED 4.1's editor defines them (red.js), for the validators that the editors use. */
const validators = {
  number: (blankAllowed?: boolean) => (value: unknown) => {
    if (blankAllowed && (value === '' || value === undefined)) return true;
    if (value !== '' && /^[+-]?[0-9]*\.?[0-9]*([eE][-+]?[0-9]+)?$|^\$\{[^}]+\}$/.test(String(value))) return true;
    return value !== '' && !Number.isNaN(Number(value));
  },
  regex: (re: RegExp) => (value: unknown) => re.test(String(value)),
};

/** The options of every `<select id="node-input-X">` (or node-config-input-X) in a node's template. */
function selectOptions(template: string): Record<string, string[]> {
  const options: Record<string, string[]> = {};
  for (const [, property, body] of template.matchAll(/<select id="node-(?:config-)?input-(\w+)"[^>]*>([\s\S]*?)<\/select>/g)) {
    options[property as string] = [...(body as string).matchAll(/<option value="([^"]*)"/g)].map((match) => match[1] as string);
  }
  return options;
}

/** A node's editor definition: nodes/<type>/editor/editor.js run against a stand-in RED that keeps what registerType receives. */
export function editorDefinition(root: string, type: string): EditorDefinition {
  const editor = join(root, 'nodes', type, 'editor');
  let registered: Omit<EditorDefinition, 'options'> | undefined;
  const RED = {
    nodes: { registerType: (_type: string, definition: Omit<EditorDefinition, 'options'>) => (registered = definition) },
    validators,
    settings: {},
    _: (key: string) => key,
  };
  runInNewContext(readFileSync(join(editor, 'editor.js'), 'utf8'), { RED });
  if (!registered) throw new Error(`${type}: editor.js registers no node type`);
  return { ...registered, options: selectOptions(readFileSync(join(editor, 'template.html'), 'utf8')) };
}
