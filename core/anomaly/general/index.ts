/** The general streaming detector for `kind: other`: any numeric sensor. */
export * from './general-core';
export * from './general-detector';
export * from './state';
