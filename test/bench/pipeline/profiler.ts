import { Session } from 'node:inspector';
import type { CpuProfile } from '../cpu-profile';

/**
 * A CPU profile of one window of this process (the inspector's Profiler, as `node --cpu-prof`
 * uses it, but started and stopped around what is timed rather than the whole run).
 */
export function windowProfiler(intervalUs = 200): { start(): void; stop(): void; profile(): Promise<CpuProfile> } {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: intervalUs });
  let stopped: Promise<CpuProfile> | undefined;
  return {
    start: () => session.post('Profiler.start'),
    stop: () => {
      stopped ??= new Promise((resolve, reject) =>
        session.post('Profiler.stop', (error, result) => {
          session.disconnect();
          if (error) reject(error);
          else resolve(result.profile as unknown as CpuProfile);
        }),
      );
    },
    profile: () => stopped ?? Promise.reject(new Error('the profiler was never stopped')),
  };
}
