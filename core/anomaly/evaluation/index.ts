/**
 * The quality measurement behind `npm run eval`: real homes with realistic anomalies injected
 * at recorded places, scored online at score > 1 by the product and by simple baselines.
 * Offline only: not part of the npm package.
 */
export * from './events';
export * from './detectors';
export * from './baselines';
export * from './metrics';
