/**
 * A message's bytes as a short printable excerpt for errors and logs: never the whole value (it
 * may be hundreds of MB) and never raw control or binary bytes. Text shows as escaped JSON, other
 * bytes as hex.
 */
export function bytesPreview(bytes: Uint8Array, limit = 32): string {
  const head = Buffer.from(bytes.subarray(0, limit));
  const more = bytes.length > limit ? `… (${bytes.length} bytes)` : '';
  const text = head.toString('utf8');
  // control characters are what makes bytes binary here
  // eslint-disable-next-line no-control-regex
  const printable = !/[\u0000-\u0008\u000e-\u001f\u007f\ufffd]/.test(text);
  if (printable) return `${JSON.stringify(text)}${more}`;
  return `0x${head.toString('hex')}${more}`;
}

/** Any value as at most `limit` characters of JSON, for "does not fit" messages. */
export function valuePreview(value: unknown, limit = 80): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > limit ? `${text.slice(0, limit)}… (${text.length} chars)` : text;
}
