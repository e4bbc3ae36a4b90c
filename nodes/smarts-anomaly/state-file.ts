import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { decodeState, encodeState, type DetectorState } from '../../core/state/series-state';

/**
 * The anomaly node's learned state across a Node-RED restart or redeploy, when no broker keeps
 * it: one line of encoded series state per series, written when the node closes, read when it
 * starts. A process killed without closing (SIGKILL) loses what it learned since it last closed.
 */
export function readStateFile(file: string): { states: DetectorState[]; problems: string[] } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { states: [], problems: [] };
    return { states: [], problems: [`cannot read ${file}: ${(error as Error).message}`] };
  }
  const states: DetectorState[] = [];
  const problems: string[] = [];
  text.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    try {
      states.push(decodeState(line));
    } catch (error) {
      problems.push(`${file} line ${index + 1}: ${(error as Error).message}`);
    }
  });
  return { states, problems };
}

/** Replaces the file whole (a temporary file renamed over it), so a crash mid-write keeps the old one. */
export function writeStateFile(file: string, states: DetectorState[]): void {
  mkdirSync(dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, states.map((state) => encodeState(state).toString('utf8')).join('\n') + '\n');
  renameSync(temporary, file);
}
