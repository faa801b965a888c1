/**
 * Builds what several test files share, once, before any test file starts: the contract artifacts (forge) and the
 * shared circuits. Without it a cold cache (a fresh machine, CI) would compile the same 218 k-constraint batch circuit in parallel workers, each taking about a
 * gigabyte and minutes. Everything is cached by content hash ($ZKPERP_CACHE_DIR), so a warm run costs milliseconds.
 */
import { terminateBn128 } from './scripts/circuit/vendor.ts'
import { prepareBatchArtifacts } from './scripts/circuit/batchPipeline.ts'
import { prepareMembershipArtifacts } from './scripts/smoke/membershipPipeline.ts'
import { buildContracts } from './scripts/chain/buildContracts.ts'

export default async function setup(): Promise<void> {
  const started = performance.now()
  const log = (line: string) => process.stdout.write(`[circuits] ${line}\n`)
  log('preparing shared circuit artifacts (compile + dev trusted setup, cached by content hash)')
  log('building contracts (forge build, offline)')
  buildContracts()
  await prepareMembershipArtifacts({ log })
  await prepareBatchArtifacts({ log })
  // snarkjs leaves its curve worker threads running; this process only prepared files.
  await terminateBn128()
  log(`ready in ${((performance.now() - started) / 1000).toFixed(1)} s`)
}
