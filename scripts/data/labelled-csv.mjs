// What the converters of public labelled streams (scripts/data/*-to-general.mjs) share: the
// number format, their flags, and the compressed CSV the general eval reads.
import { writeFileSync } from 'node:fs';
import { brotliCompressSync, constants } from 'node:zlib';

/** A reading with 6 decimals at most, and no "-0". */
export function round6(value) {
  const rounded = Math.round(value * 1e6) / 1e6;
  return Object.is(rounded, -0) ? '0' : String(rounded);
}

/** The value after `--name` in the arguments, if any. */
export function flagValue(args, name) {
  const index = args.indexOf(name);
  return index >= 0 ? args[index + 1] : undefined;
}

/** Writes `text` as Brotli (quality 11: the same bytes on every run); returns the compressed size. */
export function writeBrotli(path, text) {
  const packed = brotliCompressSync(text, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: text.length } });
  writeFileSync(path, packed);
  return packed.length;
}
