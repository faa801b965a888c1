/**
 * JSON for untrusted messages: `JSON.parse` does the parsing; a linear pre-scan first rejects what it would
 * silently accept or choke on — nesting deeper than `maxDepth` (checked before parsing, so no deep recursion ever
 * runs) and duplicate keys in an object (JSON.parse keeps the last one, so two parties could read two different
 * messages). Every failure is a typed error.
 */
import { DuplicateKeyError, MessageNotJsonError, MessageTooDeepError } from './errors.ts'

export const DEFAULT_MAX_DEPTH = 8

export function parseStrictJson(text: string, maxDepth = DEFAULT_MAX_DEPTH): unknown {
  scan(text, maxDepth)
  try {
    return JSON.parse(text)
  } catch (error) {
    throw new MessageNotJsonError(undefined, error instanceof Error ? error.message : String(error))
  }
}

const QUOTE = 0x22
const BACKSLASH = 0x5c

/** Depth and duplicate keys; leaves syntax errors to JSON.parse (the scan never throws on them itself). */
function scan(text: string, maxDepth: number): void {
  // One entry per open container: a key set for objects, undefined for arrays.
  const stack: (Set<string> | undefined)[] = []
  let i = 0
  const length = text.length
  while (i < length) {
    const c = text.charCodeAt(i)
    if (c === QUOTE) {
      const start = i
      i++
      let escaped = false
      while (i < length) {
        const d = text.charCodeAt(i)
        if (d === BACKSLASH) {
          escaped = true
          i += 2
          continue
        }
        if (d === QUOTE) break
        i++
      }
      if (i >= length) return
      const end = i
      i++
      // A key is a string followed by ':' inside an object.
      let j = i
      while (j < length && isSpace(text.charCodeAt(j))) j++
      const keys = stack[stack.length - 1]
      if (j < length && text.charCodeAt(j) === 0x3a && keys !== undefined) {
        const raw = text.slice(start + 1, end)
        let key = raw
        if (escaped) {
          try {
            key = JSON.parse(text.slice(start, end + 1)) as string
          } catch {
            return
          }
        }
        if (keys.has(key)) throw new DuplicateKeyError(key)
        keys.add(key)
      }
      continue
    }
    if (c === 0x7b || c === 0x5b) {
      if (stack.length >= maxDepth) throw new MessageTooDeepError(maxDepth)
      stack.push(c === 0x7b ? new Set() : undefined)
    } else if (c === 0x7d || c === 0x5d) {
      stack.pop()
    }
    i++
  }
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09
}
