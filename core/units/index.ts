/** Units and kinds of the reading contract: canonical units, conversions, distance and time. */
export * from './quantities';
export * from './geo';
export * from './time';
export * from './display';
