/**
 * Writes the protocol test vectors to sdk/protocol/vectors/*.json (shapes documented in sdk/protocol/testVectors.ts).
 *   tsx scripts/generate-vectors.ts          regenerate
 *   tsx scripts/generate-vectors.ts --check  exit 1 if a committed file differs from a fresh build
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { serializeVectors, VECTOR_FILES } from '../sdk/protocol/testVectors.ts'

const directory = fileURLToPath(new URL('../sdk/protocol/vectors/', import.meta.url))
const check = process.argv.includes('--check')
let stale = 0
for (const [name, build] of Object.entries(VECTOR_FILES)) {
  const path = `${directory}${name}`
  const fresh = serializeVectors(build())
  if (check) {
    let committed = ''
    try {
      committed = readFileSync(path, 'utf8')
    } catch {
      // missing counts as stale
    }
    if (committed !== fresh) {
      console.error(`${name}: differs from a fresh generation`)
      stale++
    }
  } else {
    writeFileSync(path, fresh)
    console.log(`wrote ${path}`)
  }
}
if (stale > 0) process.exit(1)
