import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createPublicClient, getAddress, http, parseAbi } from 'viem'
import { startAnvil, type StartAnvilReturnType } from './anvil.ts'
import { deployZkPerp } from './deploy.ts'

// anvil's first default account.
const DEPLOYER_KEY = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80' as const
const OPERATOR = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8' as const

describe('deployZkPerp', () => {
  let anvil: StartAnvilReturnType
  beforeAll(async () => {
    anvil = await startAnvil()
  })
  afterAll(async () => {
    await anvil?.stop()
  })

  it('behavior: deploys Poseidon, token, verifier and ZkPerp wired to each other', async () => {
    const result = await deployZkPerp({
      rpcUrl: anvil.rpcUrl,
      deployerPrivateKey: DEPLOYER_KEY,
      operator: OPERATOR,
      sizes: { accountDepth: 2, markets: 2, batchSlots: 8 },
      genesis: { stateRoot: 12345n, timestamp: 1_700_000_000n },
      // The only generated Groth16 verifier so far; the batch verifier replaces it when the batch circuit exists.
      verifier: { artifact: 'MembershipVerifier' },
    })
    const client = createPublicClient({ transport: http(anvil.rpcUrl) })
    const abi = parseAbi([
      'function TOKEN() view returns (address)',
      'function VERIFIER() view returns (address)',
      'function OPERATOR() view returns (address)',
      'function BATCH_SLOTS() view returns (uint256)',
      'function nextAccountIndex() view returns (uint32)',
    ])
    expect(await client.readContract({ address: result.zkPerp, abi, functionName: 'TOKEN' })).toBe(getAddress(result.token))
    expect(await client.readContract({ address: result.zkPerp, abi, functionName: 'VERIFIER' })).toBe(getAddress(result.verifier))
    expect(await client.readContract({ address: result.zkPerp, abi, functionName: 'OPERATOR' })).toBe(OPERATOR)
    expect(await client.readContract({ address: result.zkPerp, abi, functionName: 'BATCH_SLOTS' })).toBe(8n)
    expect(await client.readContract({ address: result.zkPerp, abi, functionName: 'nextAccountIndex' })).toBe(2)
    // Poseidon(1, 2) through the deployed 2-input contract equals circomlib's value.
    const poseidon2 = parseAbi(['function poseidon(uint256[2]) pure returns (uint256)'])
    expect(await client.readContract({ address: result.poseidon.inputs2, abi: poseidon2, functionName: 'poseidon', args: [[1n, 2n]] }))
      .toBe(0x115cc0f5e7d690413df64c6b9662e9cf2a3617f2743245519e19607a4417189an)
    const decimals = parseAbi(['function decimals() view returns (uint8)'])
    expect(await client.readContract({ address: result.token, abi: decimals, functionName: 'decimals' })).toBe(6)
  }, 60_000)
})
