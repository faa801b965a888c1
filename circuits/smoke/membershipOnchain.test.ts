/**
 * The committed MembershipVerifier.sol on a real chain: compiled with the project's solc (same settings as
 * foundry.toml), deployed to a fresh anvil with viem, and called with the committed fixture and a fresh proof.
 */
import { readFileSync } from 'node:fs'
import solc from 'solc'
import { createPublicClient, createWalletClient, http, type Abi, type Address, type Hex } from 'viem'
import { foundry } from 'viem/chains'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startAnvil, type StartAnvilReturnType } from '../../scripts/chain/anvil.ts'
import {
  MEMBERSHIP_VERIFIER_NAME,
  MEMBERSHIP_VERIFIER_PATH,
  encodeSolidityProof,
  prepareMembershipArtifacts,
  proveMembership,
  readCommittedMembershipFixture,
  type MembershipFixture,
  type SolidityProof,
} from '../../scripts/smoke/membershipPipeline.ts'
import { createMembershipVector } from './membershipCircuit.ts'

/**
 * The generated verifier returns false instead of reverting, and a failing pairing precompile makes
 * eth_estimateGas underestimate it badly: transactions carry this explicit limit (eth_call runs at anvil's cap).
 */
const VERIFY_GAS_LIMIT = 1_000_000n

type CompiledContract = { abi: Abi; bytecode: Hex }

/** solc standard JSON with foundry.toml's settings (optimizer 10000 runs, cancun). */
function compileVerifier(): CompiledContract {
  const input = {
    language: 'Solidity',
    sources: { 'MembershipVerifier.sol': { content: readFileSync(MEMBERSHIP_VERIFIER_PATH, 'utf8') } },
    settings: {
      optimizer: { enabled: true, runs: 10_000 },
      evmVersion: 'cancun',
      outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } },
    },
  }
  const output = JSON.parse(solc.compile(JSON.stringify(input)) as string) as {
    errors?: { severity: string; formattedMessage: string }[]
    contracts?: Record<string, Record<string, { abi: Abi; evm: { bytecode: { object: string } } }>>
  }
  const errors = (output.errors ?? []).filter((error) => error.severity === 'error')
  if (errors.length > 0) throw new Error(errors.map((error) => error.formattedMessage).join('\n'))
  const contract = output.contracts?.['MembershipVerifier.sol']?.[MEMBERSHIP_VERIFIER_NAME]
  if (contract === undefined) throw new Error(`${MEMBERSHIP_VERIFIER_NAME} not in the compiler output`)
  return { abi: contract.abi, bytecode: `0x${contract.evm.bytecode.object}` }
}

let anvil: StartAnvilReturnType | undefined
let publicClient: ReturnType<typeof createPublicClient>
let walletClient: ReturnType<typeof createWalletClient>
let account: Address
let verifier: Address
let abi: Abi
let fixture: MembershipFixture
let freshProof: SolidityProof

function verifyArgs(proof: SolidityProof, publicInputs: readonly [bigint, bigint]): readonly unknown[] {
  return [proof.a, proof.b, proof.c, publicInputs]
}

async function callVerify(proof: SolidityProof, publicInputs: readonly [bigint, bigint]): Promise<boolean> {
  const result = await publicClient.readContract({ address: verifier, abi, functionName: 'verifyProof', args: verifyArgs(proof, publicInputs) })
  return result as boolean
}

async function sendVerify(proof: SolidityProof, publicInputs: readonly [bigint, bigint]): Promise<bigint> {
  const hash = await walletClient.writeContract({ address: verifier, abi, functionName: 'verifyProof', args: verifyArgs(proof, publicInputs), gas: VERIFY_GAS_LIMIT, account, chain: foundry })
  const receipt = await publicClient.waitForTransactionReceipt({ hash, pollingInterval: 50 })
  expect(receipt.status).toBe('success')
  return receipt.gasUsed
}

beforeAll(async () => {
  fixture = readCommittedMembershipFixture()
  const compiled = compileVerifier()
  abi = compiled.abi
  const artifacts = await prepareMembershipArtifacts()
  freshProof = encodeSolidityProof((await proveMembership(artifacts, createMembershipVector().input)).proof)

  anvil = await startAnvil()
  const transport = http(anvil.rpcUrl)
  publicClient = createPublicClient({ chain: foundry, transport })
  walletClient = createWalletClient({ chain: foundry, transport })
  const [first] = await walletClient.getAddresses()
  if (first === undefined) throw new Error('anvil has no unlocked account')
  account = first
  const hash = await walletClient.deployContract({ abi, bytecode: compiled.bytecode, account, chain: foundry })
  const receipt = await publicClient.waitForTransactionReceipt({ hash, pollingInterval: 50 })
  if (receipt.contractAddress == null) throw new Error('verifier deployment created no contract')
  verifier = receipt.contractAddress
  console.info(`MembershipVerifier: deploy ${receipt.gasUsed} gas`)
})

afterAll(async () => {
  await anvil?.stop()
})

describe('MembershipVerifier on anvil', () => {
  it('behavior: verifyProof accepts the committed fixture proof and a fresh proof', async () => {
    expect(await callVerify(fixture.proof, fixture.publicInputs)).toBe(true)
    expect(await callVerify(freshProof, fixture.publicInputs)).toBe(true)
  })

  it('error: verifyProof returns false for a tampered proof or public input', async () => {
    expect(await callVerify(fixture.tampered.proof, fixture.publicInputs)).toBe(false)
    expect(await callVerify(fixture.proof, fixture.tampered.publicInputs)).toBe(false)
  })

  it('behavior: verifyProof as a transaction succeeds within budget, valid or not', async () => {
    const validGas = await sendVerify(fixture.proof, fixture.publicInputs)
    const tamperedGas = await sendVerify(fixture.tampered.proof, fixture.publicInputs)
    console.info(`MembershipVerifier: verifyProof tx ${validGas} gas (valid), ${tamperedGas} gas (tampered proof)`)
    // Four pairings (~181k) plus two public-input scalar multiplications and calldata: far below the limit.
    expect(validGas).toBeLessThan(300_000n)
    expect(validGas).toBeGreaterThan(181_000n)
  })
})
