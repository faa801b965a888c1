/**
 * Runs `forge build` (offline, with the repo's solc shim) so contracts/out holds the artifacts the deploy script,
 * the devnet and the e2e tests read. Incremental: forge skips unchanged sources, so a warm call costs well under a
 * second.
 */
import { spawnSync } from 'node:child_process'
import { join, resolve } from 'node:path'
import { BaseError } from '../../sdk/errors.ts'

const ROOT = resolve(import.meta.dirname, '../..')
const FORGE = join(ROOT, 'node_modules/@foundry-rs/forge-linux-amd64/bin/forge')

export class ContractBuildFailedError extends BaseError {
  static readonly code = 'CONTRACT_BUILD_FAILED' as const
  override readonly name = 'Chain.ContractBuildFailedError'
  constructor(readonly output: string) {
    super(ContractBuildFailedError.code, 'forge build failed', { details: { output } })
  }
}

export function buildContracts(): void {
  const result = spawnSync(FORGE, ['build'], { cwd: ROOT, encoding: 'utf8' })
  if (result.status !== 0) throw new ContractBuildFailedError(`${result.stdout}\n${result.stderr}`)
}
