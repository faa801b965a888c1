/**
 * The prover's job and result as plain data. Everything a worker needs travels in the job (artifact paths or a
 * circuit id, and the circuit input as decimal strings), and everything it returns is in the result, so a job can
 * be posted to a worker thread today and to a remote worker later. On the wire `batchNumber` is a decimal string
 * (`serializeProofJob` / `parseProofJob`, and the same pair for results); in memory it is a bigint.
 */
import { z } from 'zod'
import type { Groth16Proof } from '../scripts/smoke/snarkjs.ts'

export type { Groth16Proof } from '../scripts/smoke/snarkjs.ts'

/** Where a circuit's artifacts live on the worker's file system. */
export type CircuitArtifactPaths = {
  /** circom's witness generator. */
  readonly wasmPath: string
  /** The Groth16 proving key. */
  readonly zkeyPath: string
  /** The verification key every proof is checked against before it is returned. */
  readonly vkeyPath: string
}

/** A circuit input as snarkjs takes it: field elements as decimal strings, nested in arrays and objects. */
export type CircuitInputValue = string | readonly CircuitInputValue[] | { readonly [signal: string]: CircuitInputValue }
export type CircuitInput = { readonly [signal: string]: CircuitInputValue }

export type ProofJob = {
  /** Unique among the pool's pending jobs; names the job in results, errors, logs and metrics. */
  readonly jobId: string
  /** The batch this proof is for: at most one pending job per batch, a newer job supersedes an older one. */
  readonly batchNumber: bigint
  /** The artifacts inline, or the id of a circuit registered with the pool. */
  readonly circuit: CircuitArtifactPaths | string
  readonly input: CircuitInput
  /** When given, a proof whose public signals differ (as decimal strings, in order) is a failed attempt. */
  readonly expectedPublicSignals?: readonly string[]
}

export type ProofResult = {
  readonly jobId: string
  readonly batchNumber: bigint
  readonly proof: Groth16Proof
  readonly publicSignals: readonly string[]
  /** Witness generation in the worker, in milliseconds. */
  readonly witnessMs: number
  /** Groth16 proving (after the witness) in the worker, in milliseconds. */
  readonly provingMs: number
  /** Attempts this job took, the successful one included. */
  readonly attempts: number
  /** Always true: a result is only returned after the proof verified against the circuit's vkey. */
  readonly verified: true
}

// ---------------------------------------------------------------- wire schemas

const decimalString = z.string().regex(/^(0|[1-9][0-9]*)$/)
const batchNumberWire = decimalString.transform(BigInt)

const circuitInputValue: z.ZodType<CircuitInputValue> = z.lazy(() =>
  z.union([decimalString, z.array(circuitInputValue), z.record(z.string(), circuitInputValue)]),
)
export const circuitInputSchema: z.ZodType<CircuitInput> = z.record(z.string(), circuitInputValue)

export const circuitArtifactPathsSchema = z.strictObject({
  wasmPath: z.string().min(1),
  zkeyPath: z.string().min(1),
  vkeyPath: z.string().min(1),
})

/** A G1 point in snarkjs's projective JSON form: three decimal coordinates. */
const g1 = z.tuple([decimalString, decimalString, decimalString])
/** A G2 point: three Fp2 coordinates, each two decimal limbs. */
const g2 = z.tuple([z.tuple([decimalString, decimalString]), z.tuple([decimalString, decimalString]), z.tuple([decimalString, decimalString])])

export const groth16ProofSchema = z.object({
  pi_a: g1,
  pi_b: g2,
  pi_c: g1,
  protocol: z.literal('groth16'),
  curve: z.literal('bn128'),
})

export const publicSignalsSchema = z.array(decimalString)

const proofJobWire = z.strictObject({
  jobId: z.string().min(1),
  batchNumber: batchNumberWire,
  circuit: z.union([z.string().min(1), circuitArtifactPathsSchema]),
  input: circuitInputSchema,
  expectedPublicSignals: publicSignalsSchema.optional(),
})

const proofResultWire = z.strictObject({
  jobId: z.string().min(1),
  batchNumber: batchNumberWire,
  proof: groth16ProofSchema,
  publicSignals: publicSignalsSchema,
  witnessMs: z.number().nonnegative(),
  provingMs: z.number().nonnegative(),
  attempts: z.number().int().positive(),
  verified: z.literal(true),
})

/** What a worker returns for one attempt, before the pool verifies it. */
export const workerOutputSchema = z.object({
  proof: groth16ProofSchema,
  publicSignals: publicSignalsSchema,
  witnessMs: z.number().nonnegative(),
  provingMs: z.number().nonnegative(),
})
export type WorkerOutput = z.infer<typeof workerOutputSchema>

function toWire(value: unknown): string {
  return JSON.stringify(value, (_, item: unknown) => (typeof item === 'bigint' ? item.toString() : item))
}

export function serializeProofJob(job: ProofJob): string {
  return toWire(job)
}

/** Parses and validates a job from JSON (throws a ZodError on a malformed job). */
export function parseProofJob(text: string): ProofJob {
  const { expectedPublicSignals, ...job } = proofJobWire.parse(JSON.parse(text))
  return expectedPublicSignals === undefined ? job : { ...job, expectedPublicSignals }
}

/** Checks an in-memory job has the wire shape (decimal-string input, non-negative batch number). */
export function validateProofJob(job: ProofJob): void {
  parseProofJob(serializeProofJob(job))
}

export function serializeProofResult(result: ProofResult): string {
  return toWire(result)
}

export function parseProofResult(text: string): ProofResult {
  return proofResultWire.parse(JSON.parse(text))
}
