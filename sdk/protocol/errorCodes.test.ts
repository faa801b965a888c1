/**
 * Every error code across sdk/ is unique: a client maps a code to one meaning. The test imports every non-test
 * module under sdk/ and collects each exported class that has a static string `code`.
 */
import { readdirSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'
import { BaseError } from '../errors.ts'

const sdkRoot = fileURLToPath(new URL('..', import.meta.url))

function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name)
    if (entry.isDirectory()) return entry.name === 'node_modules' || entry.name === 'vectors' ? [] : sourceFiles(path)
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') && !entry.name.endsWith('.d.ts') ? [path] : []
  })
}

describe('error codes', () => {
  it('behavior: every exported error class across sdk/ has a unique code', async () => {
    const owners = new Map<string, { errorClass: unknown; where: string }>()
    const duplicates: string[] = []
    let classes = 0
    for (const file of sourceFiles(sdkRoot)) {
      const module = (await import(pathToFileURL(file).href)) as Record<string, unknown>
      for (const [exportName, value] of Object.entries(module)) {
        if (typeof value !== 'function' || !(value.prototype instanceof BaseError)) continue
        const code = (value as { code?: unknown }).code
        if (typeof code !== 'string') continue
        const where = `${relative(sdkRoot, file)}#${exportName}`
        const owner = owners.get(code)
        if (owner === undefined) {
          owners.set(code, { errorClass: value, where })
          classes++
        } else if (owner.errorClass !== value) {
          duplicates.push(`${code}: ${owner.where} and ${where}`)
        }
      }
    }
    expect(duplicates).toEqual([])
    // The scan must actually see the protocol and crypto errors, or it proves nothing.
    expect(owners.has('SIZE_OUT_OF_RANGE')).toBe(true)
    expect(owners.has('BAD_SIGNATURE')).toBe(true)
    expect(classes).toBeGreaterThan(20)
  })
})
