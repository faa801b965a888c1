/**
 * The smoke path's artifacts: build + dev setup of the membership circuit, a proof of the test vector, and its
 * Solidity encoding. `generateFixtures.ts` writes the committed verifier and fixture from here, and the smoke
 * tests check the committed files against a fresh run.
 */
import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { z } from 'zod'
import { BaseError } from '../../sdk/errors.ts'
import { MEMBERSHIP_CIRCUIT, toSnarkjsInput, type MembershipInput } from '../../circuits/smoke/membershipCircuit.ts'
import { buildCircuit, type BuiltCircuit } from '../circuit/buildCircuit.ts'
import { devSetup, type SetupArtifacts } from '../circuit/devSetup.ts'
import { loadSnarkjs, type Groth16Proof, type Groth16VerificationKey } from './snarkjs.ts'

export const REPOSITORY_ROOT = resolve(import.meta.dirname, '../..')
export const MEMBERSHIP_VERIFIER_NAME = 'MembershipVerifier'
export const MEMBERSHIP_VERIFIER_PATH = join(REPOSITORY_ROOT, 'contracts/src/verifiers/MembershipVerifier.sol')
export const MEMBERSHIP_FIXTURE_PATH = join(REPOSITORY_ROOT, 'contracts/test/fixtures/membership.json')

/** BN254 base field modulus: G1/G2 coordinates live below it. */
export const BN254_BASE_MODULUS = 21888242871839275222246405745257275088696311157297823662689037894645226208583n
/** BN254 scalar field modulus r: public inputs must be below it. */
export const BN254_SCALAR_MODULUS = 21888242871839275222246405745257275088548364400416034343698204186575808495617n

/** A proof in the argument order of the generated verifier's `verifyProof(pA, pB, pC, pubSignals)`. */
export type SolidityProof = {
  a: readonly [bigint, bigint]
  /** G2 point with each coordinate's Fp2 limbs in EVM order (imaginary part first), as the precompile takes them. */
  b: readonly [readonly [bigint, bigint], readonly [bigint, bigint]]
  c: readonly [bigint, bigint]
}

export type MembershipFixture = {
  proof: SolidityProof
  /** [root, leaf], the circuit's public signals in order. */
  publicInputs: readonly [bigint, bigint]
  /** Must be rejected: the proof with `a` negated (still on the curve), and the valid proof with leaf + 1. */
  tampered: { proof: SolidityProof; publicInputs: readonly [bigint, bigint] }
}

export class PublicSignalCountError extends BaseError {
  static readonly code = 'PUBLIC_SIGNAL_COUNT_MISMATCH' as const
  override readonly name = 'Smoke.PublicSignalCountError'
  constructor(publicSignals: readonly string[]) {
    super(PublicSignalCountError.code, 'expected the public signals [root, leaf]', { details: { publicSignals } })
  }
}

export type MembershipArtifacts = {
  circuit: BuiltCircuit
  setup: SetupArtifacts
  /** The setup's verification key, typed for snarkjs's verifier. */
  vkey: Groth16VerificationKey
}

export type PrepareMembershipArtifactsParameters = {
  /** Build and setup progress, including the setup's INSECURE banner. Default: dropped. */
  log?: (line: string) => void
}

/**
 * Compiles the circuit and runs the deterministic dev setup (default seed: the committed verifier is only
 * reproducible with it), both cached by content hash outside the repository.
 */
export async function prepareMembershipArtifacts(parameters: PrepareMembershipArtifactsParameters = {}): Promise<MembershipArtifacts> {
  const log = parameters.log ?? ((): void => {})
  const circuit = await buildCircuit(MEMBERSHIP_CIRCUIT, { log })
  const setup = await devSetup(circuit, { verifierName: MEMBERSHIP_VERIFIER_NAME, log })
  return { circuit, setup, vkey: setup.vkey as Groth16VerificationKey }
}

export async function proveMembership(artifacts: MembershipArtifacts, input: MembershipInput): Promise<{ proof: Groth16Proof; publicSignals: string[] }> {
  const snarkjs = await loadSnarkjs()
  return snarkjs.groth16.fullProve(toSnarkjsInput(input), artifacts.circuit.wasmPath, artifacts.setup.zkeyPath)
}

export function encodeSolidityProof(proof: Groth16Proof): SolidityProof {
  const [ax, ay] = proof.pi_a
  const [[bx0, bx1], [by0, by1]] = proof.pi_b
  const [cx, cy] = proof.pi_c
  return {
    a: [BigInt(ax), BigInt(ay)],
    b: [
      [BigInt(bx1), BigInt(bx0)],
      [BigInt(by1), BigInt(by0)],
    ],
    c: [BigInt(cx), BigInt(cy)],
  }
}

export function decodeSolidityProof(proof: SolidityProof): Groth16Proof {
  const [[bx1, bx0], [by1, by0]] = proof.b
  return {
    pi_a: [proof.a[0].toString(), proof.a[1].toString(), '1'],
    pi_b: [
      [bx0.toString(), bx1.toString()],
      [by0.toString(), by1.toString()],
      ['1', '0'],
    ],
    pi_c: [proof.c[0].toString(), proof.c[1].toString(), '1'],
    protocol: 'groth16',
    curve: 'bn128',
  }
}

export function createMembershipFixture(proof: Groth16Proof, publicSignals: readonly string[]): MembershipFixture {
  const [root, leaf] = publicSignals.map(BigInt)
  if (root === undefined || leaf === undefined || publicSignals.length !== 2) throw new PublicSignalCountError(publicSignals)
  const encoded = encodeSolidityProof(proof)
  return {
    proof: encoded,
    publicInputs: [root, leaf],
    tampered: {
      proof: { ...encoded, a: [encoded.a[0], BN254_BASE_MODULUS - encoded.a[1]] },
      publicInputs: [root, (leaf + 1n) % BN254_SCALAR_MODULUS],
    },
  }
}

const decimal = z.string().regex(/^(0|[1-9][0-9]*)$/).transform(BigInt)
const pair = z.tuple([decimal, decimal])
const solidityProofSchema = z.object({ a: pair, b: z.tuple([pair, pair]), c: pair })
const fixtureSchema = z.object({
  proof: solidityProofSchema,
  publicInputs: pair,
  tampered: z.object({ proof: solidityProofSchema, publicInputs: pair }),
})

/** JSON with every uint256 as a decimal string (what forge's `vm.parseJsonUint*` read), stable key order. */
export function serializeMembershipFixture(fixture: MembershipFixture): string {
  return `${JSON.stringify(fixture, (_, value: unknown) => (typeof value === 'bigint' ? value.toString() : value), 2)}\n`
}

export function parseMembershipFixture(text: string): MembershipFixture {
  return fixtureSchema.parse(JSON.parse(text))
}

export function readCommittedMembershipFixture(): MembershipFixture {
  return parseMembershipFixture(readFileSync(MEMBERSHIP_FIXTURE_PATH, 'utf8'))
}
