/** Test and bench support: a real gateway on a temporary log, with funded accounts and fresh oracle prices. */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { derivePublicKey } from '../../sdk/crypto/eddsa.ts'
import { CIRCUIT_SIZES, exampleGenesis } from '../../sdk/protocol/config.ts'
import type { CircuitSizes, Domain, Genesis } from '../../sdk/protocol/types.ts'
import { GENESIS_TIME, ORACLE_KEY, traderKey } from '../core/testWorkload.ts'
import { startGateway, type Gateway, type GatewayOptions } from './server.ts'

export type TestTraderKey = { accountIndex: bigint; privateKey: Uint8Array }

export type TestGatewayParameters = Partial<Omit<GatewayOptions, 'genesis' | 'logPath'>> & {
  domain?: Domain
  sizes?: CircuitSizes
  /** Private keys of the accounts to create, in index order from 2 (default: 5 test traders). */
  keys?: Uint8Array[]
  logPath?: string
  /** Skip deposits and oracle prices (a restarted gateway already has them). */
  fund?: boolean
}

export type TestGateway = { gateway: Gateway; genesis: Genesis; traders: TestTraderKey[]; logPath: string; stop(options?: { keepLog?: boolean }): Promise<void> }

export function testGatewayGenesis(domain: Domain = { chainId: 31_337n, rollupAddress: '0x00000000000000000000000000000000000000aa' }, sizes: CircuitSizes = CIRCUIT_SIZES.test): Genesis {
  return exampleGenesis({ sizes, domain, oracleKey: ORACLE_KEY.publicKey, timestamp: GENESIS_TIME })
}

export async function startTestGateway(parameters: TestGatewayParameters = {}): Promise<TestGateway> {
  const genesis = testGatewayGenesis(parameters.domain, parameters.sizes)
  const logPath = parameters.logPath ?? mkdtempSync(join(process.env.ZKPERP_TEST_TMP ?? (process.platform === 'linux' ? '/dev/shm' : tmpdir()), 'zkperp-gateway-'))
  const keys = parameters.keys ?? Array.from({ length: 5 }, (_, i) => traderKey(i).privateKey)
  const { domain: _d, sizes: _s, keys: _k, fund, logPath: _l, ...rest } = parameters
  const gateway = await startGateway({ clock: () => GENESIS_TIME, log: () => {}, ...rest, genesis, logPath })
  const traders = keys.map((privateKey, i) => ({ accountIndex: 2n + BigInt(i), privateKey }))
  if (fund !== false) {
    for (const trader of traders) {
      await gateway.submit({
        kind: 'deposit',
        tx: { type: 'deposit', accountIndex: trader.accountIndex, amount: 1_000_000_000_000n, owner: 0xa11cen, create: { publicKey: derivePublicKey(trader.privateKey), mode: 0 } },
      })
    }
    // The genesis oracle prices are stamped GENESIS_TIME, which the fixed clock keeps fresh.
  }
  return {
    gateway,
    genesis,
    traders,
    logPath,
    async stop(options = {}) {
      await gateway.close()
      if (options.keepLog !== true) rmSync(logPath, { recursive: true, force: true })
    },
  }
}
