/** The general streaming detector for `kind: other`: any numeric sensor. */
export * from './general-core';
export * from './explain';
export * from './state';
