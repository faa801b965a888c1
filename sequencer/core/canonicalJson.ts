/**
 * Reversible canonical JSON for the sequencer's snapshots and event lists: bigint → `"#<decimal>"`, a string that
 * starts with `#` gets one more `#`, `Uint8Array` is not allowed (callers hex-encode). Key order is the order the
 * caller built the object in, so callers build objects (and sort map entries) deterministically; then equal values
 * give equal bytes.
 */
export function stringifyCanonical(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => {
    if (typeof item === 'bigint') return `#${item.toString()}`
    if (typeof item === 'string' && item.startsWith('#')) return `#${item}`
    return item
  })
}

export function parseCanonical(text: string): unknown {
  return JSON.parse(text, (_key, item: unknown) => {
    if (typeof item !== 'string' || !item.startsWith('#')) return item
    if (item.startsWith('##')) return item.slice(1)
    return BigInt(item.slice(1))
  })
}
