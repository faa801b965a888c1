/**
 * A real batch proof end to end, at the `test` circuit size: build + dev setup of `BatchStateTransition`, a
 * deterministic two-batch scenario run through the sdk state machine, its witnesses, Groth16 proofs, and their
 * Solidity encoding with the L1 deposit calls that queue the same priority records.
 *
 * The scenario (4 slots per batch, so it takes two batches; a new-account deposit fills 2 slots):
 *   batch 1  deposit-new alice (index 2, mode 0) · deposit-new bob (index 3, mode 1)
 *   batch 2  oracle update (market 0) · trade alice buys from bob (fees > 0) · top-up of alice by carol · noop
 *
 * `generateBatchFixtures.ts` writes the committed verifier and fixture from here; `circuits/batchProof.test.ts`
 * checks the committed files against a fresh run, and the forge tests submit the fixture to `ZkPerp`.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { sha256 } from '@noble/hashes/sha2.js'
import { z } from 'zod'
import { circuitConfigs, CIRCUIT_DOMAIN } from '../../circuits/configs.ts'
import { toCircuitInput } from '../../circuits/test/circuitHarness.ts'
import { buildBatchWitness, type BatchWitness } from '../../circuits/witness/batchWitness.ts'
import { derivePublicKey } from '../../sdk/crypto/eddsa.ts'
import { BaseError } from '../../sdk/errors.ts'
import { bytesToHex } from '../../sdk/protocol/bytes.ts'
import { CIRCUIT_SIZES, exampleGenesis } from '../../sdk/protocol/config.ts'
import { recordChunks, trimTrailingNoops, type DepositNewRecord, type DepositRecord } from '../../sdk/protocol/pubdata.ts'
import { signOraclePrice, signOrder } from '../../sdk/protocol/signing.ts'
import type { CircuitSizes, Order, PublicKey, Tx } from '../../sdk/protocol/types.ts'
import { createGenesisState, type ExchangeState } from '../../sdk/state/state.ts'
import type { TxContext } from '../../sdk/state/txEffect.ts'
import { REPOSITORY_ROOT, encodeSolidityProof, type SolidityProof } from '../smoke/membershipPipeline.ts'
import { loadSnarkjs, type Groth16Proof, type Groth16VerificationKey } from '../smoke/snarkjs.ts'
import { buildCircuit, type BuiltCircuit } from './buildCircuit.ts'
import { devSetup, type SetupArtifacts } from './devSetup.ts'

export const BATCH_CONFIG_NAME = 'test'
export const BATCH_VERIFIER_NAME = 'BatchVerifierTest'
export const BATCH_VERIFIER_PATH = join(REPOSITORY_ROOT, 'contracts/src/verifiers/BatchVerifierTest.sol')
export const BATCH_FIXTURE_PATH = join(REPOSITORY_ROOT, 'contracts/test/fixtures/batchTest.json')

/** The sizes the `test` circuit config is compiled for (the contract must be deployed with the same). */
export const BATCH_SIZES: CircuitSizes = CIRCUIT_SIZES.test
export const SCENARIO_GENESIS_TIME = 1_700_000_000n
/** Batch timestamps: the contract needs lastBatch.timestamp ≤ T ≤ block.timestamp + tolerance. */
export const SCENARIO_BATCH_TIMES = [SCENARIO_GENESIS_TIME + 600n, SCENARIO_GENESIS_TIME + 660n] as const

/** L1 addresses of the scenario (20-byte owners and depositors, as bigint). */
export const SCENARIO_ADDRESSES = { alice: 0xa11cen, bob: 0xb0bn, carol: 0xca401n } as const

export class BatchPublicSignalsError extends BaseError {
  static readonly code = 'BATCH_PUBLIC_SIGNALS_MISMATCH' as const
  override readonly name = 'BatchPipeline.BatchPublicSignalsError'
  constructor(publicSignals: readonly string[], expectedCommitment: bigint) {
    super(BatchPublicSignalsError.code, 'the proof\'s public signals are not [commitment] of the batch', {
      details: { publicSignals, expectedCommitment },
    })
  }
}

export type BatchArtifacts = {
  circuit: BuiltCircuit
  setup: SetupArtifacts
  vkey: Groth16VerificationKey
}

export type PrepareBatchArtifactsParameters = {
  /** Build and setup progress, including the setup's INSECURE banner. Default: dropped. */
  log?: (line: string) => void
}

/**
 * Compiles the `test` batch circuit and runs the deterministic dev setup (default seed: the committed verifier is
 * only reproducible with it), both cached by content hash outside the repository.
 */
export async function prepareBatchArtifacts(parameters: PrepareBatchArtifactsParameters = {}): Promise<BatchArtifacts> {
  const log = parameters.log ?? ((): void => {})
  const spec = circuitConfigs[BATCH_CONFIG_NAME]
  if (spec === undefined) throw new Error(`circuit config ${BATCH_CONFIG_NAME} is not registered`)
  const circuit = await buildCircuit(spec, { log })
  const setup = await devSetup(circuit, { verifierName: BATCH_VERIFIER_NAME, log })
  return { circuit, setup, vkey: setup.vkey as Groth16VerificationKey }
}

/** A deterministic scenario key: sha256 of a label, never a key with value. */
function scenarioKey(label: string): { privateKey: Uint8Array; publicKey: PublicKey } {
  const privateKey = sha256(new TextEncoder().encode(`zkperp batch proof fixture ${label}`))
  return { privateKey, publicKey: derivePublicKey(privateKey) }
}

/** One L1 call that queues a priority record, exactly as `ZkPerp` encodes it. */
export type L1DepositCall =
  | { call: 'depositNewAccount'; caller: bigint; record: DepositNewRecord; recordBytes: Uint8Array }
  | { call: 'depositTo'; caller: bigint; record: DepositRecord; recordBytes: Uint8Array }

export type ScenarioBatch = {
  batchNumber: bigint
  context: TxContext
  txs: readonly Tx[]
  witness: BatchWitness
  /** Pubdata without trailing zero chunks: what `submitBatch` gets. */
  calldata: Uint8Array
  /** The priority records of this batch, in pubdata order, with the L1 call that queues each. */
  deposits: readonly L1DepositCall[]
}

export type BatchScenario = {
  genesis: ExchangeState
  genesisStateRoot: bigint
  batches: readonly [ScenarioBatch, ScenarioBatch]
}

/** The priority records of a batch, each with its exact bytes sliced out of the padded pubdata. */
function depositCalls(witness: BatchWitness): L1DepositCall[] {
  const calls: L1DepositCall[] = []
  let offset = 0
  for (const record of witness.result.records) {
    const length = 32 * recordChunks(record)
    const recordBytes = witness.result.pubdata.slice(offset, offset + length)
    if (record.type === 'depositNew') calls.push({ call: 'depositNewAccount', caller: record.owner, record, recordBytes })
    else if (record.type === 'deposit') calls.push({ call: 'depositTo', caller: record.depositor, record, recordBytes })
    offset += length
  }
  return calls
}

function scenarioBatch(batchNumber: bigint, state: ExchangeState, txs: readonly Tx[], batchTimestamp: bigint): ScenarioBatch {
  const context: TxContext = { batchTimestamp, domain: CIRCUIT_DOMAIN }
  const witness = buildBatchWitness(state, txs, context)
  return { batchNumber, context, txs, witness, calldata: trimTrailingNoops(witness.result.pubdata), deposits: depositCalls(witness) }
}

/**
 * The scenario on the `test` genesis (example markets, the circuit's domain, a scenario oracle key). Pure and
 * deterministic: EdDSA-Poseidon signatures are deterministic, so every run gives the same roots and pubdata.
 */
export function buildBatchScenario(): BatchScenario {
  const alice = scenarioKey('alice')
  const bob = scenarioKey('bob')
  const oracle = scenarioKey('oracle')
  const genesis = createGenesisState(
    exampleGenesis({ sizes: BATCH_SIZES, domain: CIRCUIT_DOMAIN, oracleKey: oracle.publicKey, timestamp: SCENARIO_GENESIS_TIME }),
  )
  const [t1, t2] = SCENARIO_BATCH_TIMES
  const first = scenarioBatch(1n, genesis, [
    { type: 'deposit', accountIndex: 2n, amount: 100_000_000_000n, owner: SCENARIO_ADDRESSES.alice, create: { publicKey: alice.publicKey, mode: 0 } },
    { type: 'deposit', accountIndex: 3n, amount: 50_000_000_000n, owner: SCENARIO_ADDRESSES.bob, create: { publicKey: bob.publicKey, mode: 1 } },
  ], t1)

  // The oracle moves 50 ticks; alice lifts 10 of bob's 25 lots at bob's limit, one tick above the new price.
  const price = genesis.markets[0]!.oraclePrice + 500n
  const expiry = t2 + 86_400n
  const takerOrder: Order = { accountIndex: 2n, market: 0, isBuy: true, reduceOnly: false, size: 10n, limitPrice: price + 20n, storageId: 7n, expiry }
  const makerOrder: Order = { accountIndex: 3n, market: 0, isBuy: false, reduceOnly: false, size: 25n, limitPrice: price + 10n, storageId: 3n, expiry }
  const taker = signOrder(takerOrder, alice.privateKey, CIRCUIT_DOMAIN)
  const maker = signOrder(makerOrder, bob.privateKey, CIRCUIT_DOMAIN)
  const second = scenarioBatch(2n, first.witness.state, [
    signOraclePrice({ market: 0, price, timestamp: t2 }, oracle.privateKey, CIRCUIT_DOMAIN),
    { type: 'trade', taker, maker, size: 10n, price: maker.limitPrice },
    { type: 'deposit', accountIndex: 2n, amount: 5_000_000_000n, owner: SCENARIO_ADDRESSES.carol },
    { type: 'noop' },
  ], t2)
  return { genesis, genesisStateRoot: first.witness.result.oldStateRoot, batches: [first, second] }
}

export type ProveBatchReturnType = { proof: Groth16Proof; publicSignals: string[]; seconds: number }

/** Witness + Groth16 proof of one scenario batch; checks the single public signal is the batch's commitment. */
export async function proveBatch(artifacts: BatchArtifacts, witness: BatchWitness): Promise<ProveBatchReturnType> {
  const snarkjs = await loadSnarkjs()
  const started = performance.now()
  const input = toCircuitInput(witness.input) as Record<string, unknown>
  const { proof, publicSignals } = await snarkjs.groth16.fullProve(input, artifacts.circuit.wasmPath, artifacts.setup.zkeyPath)
  const seconds = Math.round(performance.now() - started) / 1000
  if (publicSignals.length !== 1 || publicSignals[0] !== witness.result.commitment.toString()) {
    throw new BatchPublicSignalsError(publicSignals, witness.result.commitment)
  }
  return { proof, publicSignals, seconds }
}

export async function verifyBatchProof(vkey: Groth16VerificationKey, commitment: bigint, proof: Groth16Proof): Promise<boolean> {
  const snarkjs = await loadSnarkjs()
  return snarkjs.groth16.verify(vkey, [commitment.toString()], proof)
}

// ---------------------------------------------------------------- the committed fixture

export type DepositCallFixture =
  | {
      call: 'depositNewAccount'
      caller: bigint
      accountIndex: bigint
      owner: bigint
      publicKeyX: bigint
      publicKeyY: bigint
      mode: bigint
      amount: bigint
      /** The record exactly as it sits in the batch's pubdata: L1 must queue keccak256 of these bytes. */
      record: `0x${string}`
    }
  | { call: 'depositTo'; caller: bigint; accountIndex: bigint; amount: bigint; record: `0x${string}` }

export type BatchFixtureEntry = {
  batchNumber: bigint
  timestamp: bigint
  oldStateRoot: bigint
  newStateRoot: bigint
  /** Trailing zero chunks trimmed, as the contract allows. */
  pubdata: `0x${string}`
  /** The full N·32 bytes the circuit hashes. */
  paddedPubdata: `0x${string}`
  commitment: bigint
  /** Priority records this batch consumes (the queue head moves by this much). */
  priorityOps: bigint
  /** Byte offset (in `pubdata`) of the trade record, or absent: a byte there changes no priority record. */
  tradeOffset?: bigint
  /** Verifier argument order, b limbs in EVM order. */
  proof: SolidityProof
}

export type BatchFixture = {
  sizes: { accountDepth: bigint; orderDepth: bigint; markets: bigint; batchSlots: bigint }
  domain: { chainId: bigint; rollupAddress: `0x${string}` }
  genesis: { stateRoot: bigint; timestamp: bigint }
  /** The L1 calls, in queue order, that produce the priority queue both batches consume. */
  deposits: DepositCallFixture[]
  batches: BatchFixtureEntry[]
}

function depositCallFixture(entry: L1DepositCall): DepositCallFixture {
  const record = bytesToHex(entry.recordBytes)
  if (entry.call === 'depositTo') {
    return { call: entry.call, caller: entry.caller, accountIndex: entry.record.accountIndex, amount: entry.record.amount, record }
  }
  const { accountIndex, owner, publicKey, mode, amount } = entry.record
  return { call: entry.call, caller: entry.caller, accountIndex, owner, publicKeyX: publicKey.x, publicKeyY: publicKey.y, mode: BigInt(mode), amount, record }
}

function tradeOffset(batch: ScenarioBatch): bigint | undefined {
  let offset = 0
  for (const record of batch.witness.result.records) {
    if (record.type === 'trade') return BigInt(offset)
    offset += 32 * recordChunks(record)
  }
  return undefined
}

/** The fixture for a scenario and one proof per batch (in batch order). */
export function createBatchFixture(scenario: BatchScenario, proofs: readonly Groth16Proof[]): BatchFixture {
  return {
    sizes: {
      accountDepth: BigInt(BATCH_SIZES.accountDepth),
      orderDepth: BigInt(BATCH_SIZES.orderDepth),
      markets: BigInt(BATCH_SIZES.markets),
      batchSlots: BigInt(BATCH_SIZES.batchSlots),
    },
    domain: { chainId: CIRCUIT_DOMAIN.chainId, rollupAddress: CIRCUIT_DOMAIN.rollupAddress },
    genesis: { stateRoot: scenario.genesisStateRoot, timestamp: SCENARIO_GENESIS_TIME },
    deposits: scenario.batches.flatMap((batch) => batch.deposits.map(depositCallFixture)),
    batches: scenario.batches.map((batch, index) => {
      const proof = proofs[index]
      if (proof === undefined) throw new Error(`no proof for batch ${batch.batchNumber}`)
      const { result } = batch.witness
      const offset = tradeOffset(batch)
      return {
        batchNumber: batch.batchNumber,
        timestamp: result.batchTimestamp,
        oldStateRoot: result.oldStateRoot,
        newStateRoot: result.newStateRoot,
        pubdata: bytesToHex(batch.calldata),
        paddedPubdata: bytesToHex(result.pubdata),
        commitment: result.commitment,
        priorityOps: BigInt(batch.deposits.length),
        ...(offset === undefined ? {} : { tradeOffset: offset }),
        proof: encodeSolidityProof(proof),
      }
    }),
  }
}

const decimal = z.string().regex(/^(0|[1-9][0-9]*)$/).transform(BigInt)
const hex = z.string().regex(/^0x([0-9a-f]{2})*$/).transform((value) => value as `0x${string}`)
const pair = z.tuple([decimal, decimal])
const solidityProofSchema = z.object({ a: pair, b: z.tuple([pair, pair]), c: pair })
const depositSchema = z.discriminatedUnion('call', [
  z.object({
    call: z.literal('depositNewAccount'),
    caller: decimal,
    accountIndex: decimal,
    owner: decimal,
    publicKeyX: decimal,
    publicKeyY: decimal,
    mode: decimal,
    amount: decimal,
    record: hex,
  }),
  z.object({ call: z.literal('depositTo'), caller: decimal, accountIndex: decimal, amount: decimal, record: hex }),
])
const fixtureSchema = z.object({
  sizes: z.object({ accountDepth: decimal, orderDepth: decimal, markets: decimal, batchSlots: decimal }),
  domain: z.object({ chainId: decimal, rollupAddress: z.string().regex(/^0x[0-9a-fA-F]{40}$/).transform((value) => value as `0x${string}`) }),
  genesis: z.object({ stateRoot: decimal, timestamp: decimal }),
  deposits: z.array(depositSchema),
  batches: z.array(
    z.object({
      batchNumber: decimal,
      timestamp: decimal,
      oldStateRoot: decimal,
      newStateRoot: decimal,
      pubdata: hex,
      paddedPubdata: hex,
      commitment: decimal,
      priorityOps: decimal,
      tradeOffset: decimal.optional(),
      proof: solidityProofSchema,
    }),
  ),
})

/** JSON with every integer as a decimal string (what forge's `vm.parseJsonUint*` read), stable key order. */
export function serializeBatchFixture(fixture: BatchFixture): string {
  return `${JSON.stringify(fixture, (_, value: unknown) => (typeof value === 'bigint' ? value.toString() : value), 2)}\n`
}

export function parseBatchFixture(text: string): BatchFixture {
  const parsed = fixtureSchema.parse(JSON.parse(text))
  return {
    ...parsed,
    // Key order as createBatchFixture writes it (serializing a parsed fixture gives the same text back).
    batches: parsed.batches.map(({ tradeOffset, proof, ...batch }) => ({ ...batch, ...(tradeOffset === undefined ? {} : { tradeOffset }), proof })),
  }
}

export function readCommittedBatchFixture(): BatchFixture {
  return parseBatchFixture(readFileSync(BATCH_FIXTURE_PATH, 'utf8'))
}
