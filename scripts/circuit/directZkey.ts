import { blake2b } from '@noble/hashes/blake2.js'
import { BaseError } from '../../sdk/errors.ts'
import { FIELD_BYTES, FR, invR, inverseFft, MONTGOMERY_R, powersOf, scalarsToBytes } from './field.ts'
import { FixedBaseMultiplier, FixedBasePool } from './fixedBase.ts'
import type { ProgressReporter } from './progress.ts'
import { domainPower, type LinearCombination, readR1cs } from './r1cs.ts'
import { type Bn128Curve, loadBinFileUtils, loadFfjavascript } from './vendor.ts'

/**
 * DEV ONLY. Writes a Groth16 proving key (snarkjs `.zkey`, binfile v1) straight from an `.r1cs` and *known*
 * toxic waste, with no powers-of-tau file: every point is (scalar computed in Fr)·G by a fixed-base table.
 *
 * With no delta the file is byte-identical to `snarkjs zkey new` on a prepared ptau (of higher power) with the
 * same tau, alpha and beta: same sections in the same order (1, 2, 4, 3, 9, 8, 5, 6, 7, 10), same coefficient
 * encoding, same circuit hash (blake2b-512 over the uncompressed points, `src/zkey_new.js`). With a delta the
 * result equals that key after one `zkey contribute` of secret delta: L and H divided by delta, delta in the
 * header, and a contribution record with a valid proof of knowledge, so `snarkjs zkey verify` accepts it.
 */
export type ToxicWaste = { tau: bigint; alpha: bigint; beta: bigint }

/** The phase-2 contribution folded into a dev key: delta, and the scalar s of its public key g1_s = s·G1. */
export type DeltaContribution = { delta: bigint; publicKeyScalar: bigint; name: string }

export type WriteDirectZkeyParameters = {
  r1csPath: string
  zkeyPath: string
  waste: ToxicWaste
  contribution?: DeltaContribution
  curve: Bn128Curve
  progress: ProgressReporter
}

export type WriteDirectZkeyReturnType = {
  /** blake2b-512 circuit hash, as `snarkjs zkey new` prints it. */
  circuitHash: Uint8Array
  domainPower: number
  nPublic: number
  nVars: number
  nConstraints: number
}

export class SetupDomainTooLargeError extends BaseError {
  static readonly code = 'SETUP_DOMAIN_TOO_LARGE' as const
  override readonly name = 'Circuit.SetupDomainTooLargeError'
  constructor(power: number, limit: number) {
    super(SetupDomainTooLargeError.code, `domain 2^${power} exceeds 2^${limit}`, { details: { power, limit } })
  }
}

/** H is read from the 2n-point Lagrange chunk; bn128's Fr has 2-adicity 28. */
const MAX_DIRECT_POWER = 27
/** snarkjs hashes H points in chunks of 2^14 and, past one chunk, hashes one extra point (zkey_new.js). */
const H_HASH_CHUNK = 1 << 14

export function hashedHPointCount(domainSize: number): number {
  let count = 0
  for (let start = 0; start < domainSize - 1; start += H_HASH_CHUNK) count += Math.min(domainSize - 1, H_HASH_CHUNK)
  return count
}

function u32BigEndian(value: number): Uint8Array {
  const bytes = new Uint8Array(4)
  new DataView(bytes.buffer).setUint32(0, value, false)
  return bytes
}

/** sum of coefficient · basis[constraint] into target[wire], per entry of each constraint's combination. */
function accumulate(target: bigint[], combination: LinearCombination, basisValue: bigint): void {
  for (let index = 0; index < combination.wires.length; index++) {
    const wire = combination.wires[index] ?? 0
    target[wire] = ((target[wire] ?? 0n) + (combination.coefficients[index] ?? 0n) * basisValue) % FR
  }
}

export async function writeDirectZkey(parameters: WriteDirectZkeyParameters): Promise<WriteDirectZkeyReturnType> {
  const { curve, progress, waste, contribution } = parameters
  const { tau, alpha, beta } = waste
  const binFileUtils = await loadBinFileUtils()

  let phase = progress.phase('reading r1cs', 1)
  const r1cs = await readR1cs(parameters.r1csPath)
  phase.finish()
  const nPublic = r1cs.publicOutputs + r1cs.publicInputs
  const nVars = r1cs.wires
  const nConstraints = r1cs.constraints
  const power = domainPower(nConstraints, nPublic)
  if (power > MAX_DIRECT_POWER) throw new SetupDomainTooLargeError(power, MAX_DIRECT_POWER)
  const domainSize = 2 ** power

  phase = progress.phase(`computing Lagrange basis (2^${power} and 2^${power + 1})`, 1)
  const tauPowers = powersOf(tau, 2 * domainSize)
  const lagrange = await inverseFft(curve, tauPowers.slice(0, domainSize))
  const lagrangeDouble = await inverseFft(curve, tauPowers)
  phase.finish()

  phase = progress.phase('accumulating QAP scalars', nConstraints)
  const a = new Array<bigint>(nVars).fill(0n)
  const b = new Array<bigint>(nVars).fill(0n)
  const c = new Array<bigint>(nVars).fill(0n)
  for (let constraint = 0; constraint < nConstraints; constraint++) {
    const { a: combinationA, b: combinationB, c: combinationC } = r1cs.constraintList[constraint] ?? { a: EMPTY, b: EMPTY, c: EMPTY }
    const basisValue = lagrange[constraint] ?? 0n
    accumulate(a, combinationA, basisValue)
    accumulate(b, combinationB, basisValue)
    accumulate(c, combinationC, basisValue)
  }
  // snarkjs adds one extra constraint per public signal (and ONE): a_s gains L_{nConstraints+s}.
  for (let wire = 0; wire <= nPublic; wire++) a[wire] = ((a[wire] ?? 0n) + (lagrange[nConstraints + wire] ?? 0n)) % FR
  phase.advance(nConstraints)
  phase.finish()

  const deltaInverse = contribution === undefined ? 1n : invR(contribution.delta)
  const combined = (wire: number): bigint => (beta * (a[wire] ?? 0n) + alpha * (b[wire] ?? 0n) + (c[wire] ?? 0n)) % FR
  const icScalars = Array.from({ length: nPublic + 1 }, (_, wire) => combined(wire))
  const lScalars = Array.from({ length: nVars - nPublic - 1 }, (_, index) => combined(index + nPublic + 1))
  const tauNMinusOne = ((tauPowers[domainSize] ?? 0n) - 1n + FR) % FR

  const g1 = FixedBaseMultiplier.create(curve, 'G1')
  const g2 = FixedBaseMultiplier.create(curve, 'G2')
  const pool = await FixedBasePool.create(curve)
  try {
    return await writeSections()
  } finally {
    await pool.close()
  }

  async function writeSections(): Promise<WriteDirectZkeyReturnType> {
    const single = (multiplier: FixedBaseMultiplier, scalar: bigint): Uint8Array => multiplier.multiply(scalarsToBytes([scalar]))
    const timed = async (label: string, multiplier: FixedBaseMultiplier, scalars: readonly bigint[]): Promise<Uint8Array> => {
      const step = progress.phase(label, scalars.length)
      const points = await pool.multiply(multiplier.group, scalarsToBytes(scalars), (done) => step.advance(done))
      step.finish()
      return points
    }

    const hasher = blake2b.create({ dkLen: 64 })
    const hashPoints = async (multiplier: FixedBaseMultiplier, count: number, points: Uint8Array): Promise<void> => {
      hasher.update(u32BigEndian(count))
      hasher.update(await curve[multiplier.group].batchLEMtoU(points))
    }

    const fd = await binFileUtils.createBinFile(parameters.zkeyPath, 'zkey', 1, 10, 1 << 22, 1 << 24)
    const writeSection = async (id: number, ...parts: Uint8Array[]): Promise<void> => {
      await binFileUtils.startWriteSection(fd, id)
      for (const part of parts) await fd.write(part)
      await binFileUtils.endWriteSection(fd)
    }

    // Section 1: protocol (1 = Groth16).
    await writeSection(1, u32LittleEndian(1))

    // Section 2: header. The hash covers the init key, whose gamma and delta are the generators.
    const alpha1 = single(g1, alpha)
    const beta1 = single(g1, beta)
    const beta2 = single(g2, beta)
    const generator1 = single(g1, 1n)
    const generator2 = single(g2, 1n)
    const delta1 = contribution === undefined ? generator1 : single(g1, contribution.delta)
    const delta2 = contribution === undefined ? generator2 : single(g2, contribution.delta)
    await writeSection(
      2,
      u32LittleEndian(FIELD_BYTES),
      scalarsToBytes([curve.q]),
      u32LittleEndian(FIELD_BYTES),
      scalarsToBytes([curve.r]),
      u32LittleEndian(nVars),
      u32LittleEndian(nPublic),
      u32LittleEndian(domainSize),
      alpha1,
      beta1,
      beta2,
      generator2,
      delta1,
      delta2,
    )
    for (const [group, point] of [
      ['G1', alpha1],
      ['G1', beta1],
      ['G2', beta2],
      ['G2', generator2],
      ['G1', generator1],
      ['G2', generator2],
    ] as const) {
      hasher.update(await curve[group].batchLEMtoU(point))
    }

    // Section 4: the A and B coefficients the prover evaluates, as value·R² mod r (snarkjs's encoding).
    phase = progress.phase('section 4 coefficients', 1)
    await writeSection(4, coefficientSection(r1cs.constraintList, nConstraints, nPublic))
    phase.finish()

    // Section 3: IC = (beta·a + alpha·b + c)·G1 for ONE and each public signal.
    const ic = await timed('section 3 IC·G1', g1, icScalars)
    await writeSection(3, ic)
    await hashPoints(g1, nPublic + 1, ic)

    // Section 9: H = odd Lagrange points of the 2n domain (÷ delta); the hash uses (tau^n − 1)·tau^i·G1 instead.
    const hScalars = Array.from({ length: domainSize }, (_, index) => ((lagrangeDouble[2 * index + 1] ?? 0n) * deltaInverse) % FR)
    await writeSection(9, await timed('section 9 H·G1', g1, hScalars))
    const hHashScalars = Array.from({ length: hashedHPointCount(domainSize) }, (_, index) => ((tauPowers[index] ?? 0n) * tauNMinusOne) % FR)
    const hHashPoints = await timed('circuit hash H·G1', g1, hHashScalars)
    hasher.update(u32BigEndian(domainSize - 1))
    hasher.update(await curve.G1.batchLEMtoU(hHashPoints))

    // Section 8: L (the private part of the combination), ÷ delta; the hash covers the init key's L.
    const lInit = await timed('section 8 L·G1', g1, lScalars)
    if (contribution === undefined) {
      await writeSection(8, lInit)
    } else {
      await writeSection(8, await timed('section 8 L·G1 ÷ delta', g1, lScalars.map((scalar) => (scalar * deltaInverse) % FR)))
    }
    await hashPoints(g1, nVars - nPublic - 1, lInit)

    const aPoints = await timed('section 5 A·G1', g1, a)
    await writeSection(5, aPoints)
    await hashPoints(g1, nVars, aPoints)
    const b1Points = await timed('section 6 B·G1', g1, b)
    await writeSection(6, b1Points)
    await hashPoints(g1, nVars, b1Points)
    const b2Points = await timed('section 7 B·G2', g2, b)
    await writeSection(7, b2Points)
    await hashPoints(g2, nVars, b2Points)

    const circuitHash = hasher.digest()
    await writeSection(10, circuitHash, ...(await contributionRecords(curve, g1, circuitHash, delta1, contribution)))
    await fd.close()
    return { circuitHash, domainPower: power, nPublic, nVars, nConstraints }
  }
}

const EMPTY: LinearCombination = { wires: new Uint32Array(0), coefficients: [] }

function u32LittleEndian(value: number): Uint8Array {
  const bytes = new Uint8Array(4)
  new DataView(bytes.buffer).setUint32(0, value, true)
  return bytes
}

function coefficientSection(
  constraints: ReadonlyArray<{ a: LinearCombination; b: LinearCombination }>,
  nConstraints: number,
  nPublic: number,
): Uint8Array {
  const montgomerySquare = (MONTGOMERY_R * MONTGOMERY_R) % FR
  let count = nPublic + 1
  for (const constraint of constraints) count += constraint.a.wires.length + constraint.b.wires.length
  const entryBytes = 12 + FIELD_BYTES
  const section = new Uint8Array(4 + count * entryBytes)
  const view = new DataView(section.buffer)
  view.setUint32(0, count, true)
  let offset = 4
  const values: bigint[] = []
  const push = (matrix: number, constraint: number, wire: number, value: bigint): void => {
    view.setUint32(offset, matrix, true)
    view.setUint32(offset + 4, constraint, true)
    view.setUint32(offset + 8, wire, true)
    values.push((value * montgomerySquare) % FR)
    offset += entryBytes
  }
  constraints.forEach((constraint, index) => {
    constraint.a.wires.forEach((wire, entry) => push(0, index, wire, constraint.a.coefficients[entry] ?? 0n))
    constraint.b.wires.forEach((wire, entry) => push(1, index, wire, constraint.b.coefficients[entry] ?? 0n))
  })
  for (let wire = 0; wire <= nPublic; wire++) push(0, nConstraints + wire, wire, 1n)
  const encoded = scalarsToBytes(values)
  for (let index = 0; index < count; index++) {
    section.set(encoded.subarray(index * FIELD_BYTES, (index + 1) * FIELD_BYTES), 4 + index * entryBytes + 12)
  }
  return section
}

/**
 * Section 10 after the circuit hash: the contribution count and, with a delta, one record exactly as
 * `zkey contribute` writes it (deltaAfter, g1_s, g1_sx, g2_spx, transcript, type 0, name), whose transcript and
 * g2_sp follow snarkjs: transcript = blake2b(csHash ‖ g1_s ‖ g1_sx), g2_sp = hashToG2(transcript).
 */
async function contributionRecords(
  curve: Bn128Curve,
  g1: FixedBaseMultiplier,
  circuitHash: Uint8Array,
  delta1: Uint8Array,
  contribution: DeltaContribution | undefined,
): Promise<Uint8Array[]> {
  if (contribution === undefined) return [u32LittleEndian(0)]
  const { ChaCha } = await loadFfjavascript()
  const g1s = g1.multiply(scalarsToBytes([contribution.publicKeyScalar]))
  const g1sx = g1.multiply(scalarsToBytes([(contribution.publicKeyScalar * contribution.delta) % FR]))
  const transcriptHasher = blake2b.create({ dkLen: 64 })
  transcriptHasher.update(circuitHash)
  transcriptHasher.update(await curve.G1.batchLEMtoU(g1s))
  transcriptHasher.update(await curve.G1.batchLEMtoU(g1sx))
  const transcript = transcriptHasher.digest()
  const transcriptView = new DataView(transcript.buffer, transcript.byteOffset, transcript.byteLength)
  const chachaSeed = Array.from({ length: 8 }, (_, index) => transcriptView.getUint32(index * 4, false))
  const g2sp = curve.G2.fromRng(new ChaCha(chachaSeed))
  const g2spx = new Uint8Array(curve.G2.F.n8 * 2)
  curve.G2.toRprLEM(g2spx, 0, curve.G2.timesFr(g2sp, curve.Fr.e(contribution.delta)))
  const name = new TextEncoder().encode(contribution.name.substring(0, 64))
  const parameters = new Uint8Array([1, name.byteLength, ...name])
  return [u32LittleEndian(1), delta1, g1s, g1sx, g2spx, transcript, u32LittleEndian(0), u32LittleEndian(parameters.byteLength), parameters]
}

