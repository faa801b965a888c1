import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir, rename, rm } from 'node:fs/promises'
import { homedir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The repository root (circom must run here: its WASI sandbox sees only the cwd tree). */
export const repoRoot: string = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')

/**
 * Where compiled circuits and keys are cached, outside the repository so a clean checkout stays clean:
 * `$ZKPERP_CACHE_DIR`, else `$XDG_CACHE_HOME/zkperp`, else `~/.cache/zkperp`.
 */
export function cacheRoot(): string {
  const explicit = process.env.ZKPERP_CACHE_DIR
  if (explicit !== undefined && explicit !== '') return resolve(explicit)
  const xdg = process.env.XDG_CACHE_HOME
  if (xdg !== undefined && xdg !== '') return join(resolve(xdg), 'zkperp')
  return join(homedir(), '.cache', 'zkperp')
}

/**
 * Builds a cache entry in a scratch folder inside `parent`, then renames it to the name `fill` returns, so an
 * interrupted build never leaves a half entry. If another process published the same entry first, its copy
 * wins (same inputs, same bytes) and the scratch copy is dropped. Returns the entry's path.
 */
export async function publishDirectory(parent: string, fill: (scratchDir: string) => Promise<string>): Promise<string> {
  await mkdir(parent, { recursive: true })
  const scratchDir = join(parent, `.tmp-${process.pid}-${randomBytes(4).toString('hex')}`)
  await mkdir(scratchDir)
  try {
    const finalDir = join(parent, await fill(scratchDir))
    try {
      await rename(scratchDir, finalDir)
    } catch (error) {
      // ENOTEMPTY/EEXIST: a concurrent build won the race. Anything else is real.
      const code = (error as NodeJS.ErrnoException).code
      if ((code !== 'ENOTEMPTY' && code !== 'EEXIST') || !existsSync(finalDir)) throw error
    }
    return finalDir
  } finally {
    await rm(scratchDir, { recursive: true, force: true })
  }
}

/** Seconds since `start` (from `performance.now()`), rounded to milliseconds. */
export function secondsSince(start: number): number {
  return Math.round(performance.now() - start) / 1000
}
