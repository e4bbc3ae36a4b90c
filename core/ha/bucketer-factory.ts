import { IntervalBucketer, type Bucketer, type BucketMode } from './bucketer';
import { plausibilityOf } from './plausibility';
import { SampleBucketer } from './sample-bucketer';

/** The bucketer for a mode (see bucketModeOf), with the caps of the unit its samples are in. */
export function createBucketer(intervalMs: number, mode: BucketMode, meterUnit: string): Bucketer {
  if (mode === 'mean') return new SampleBucketer(intervalMs);
  return new IntervalBucketer({ intervalMs, mode, plausibility: plausibilityOf(meterUnit) });
}
