import { FR, inverseFft, powersOf, scalarsToBytes } from './field.ts'
import { FixedBaseMultiplier, FixedBasePool } from './fixedBase.ts'
import type { ToxicWaste } from './directZkey.ts'
import type { ProgressReporter } from './progress.ts'
import { type Bn128Curve, loadBinFileUtils } from './vendor.ts'

export type WriteFastPtauParameters = {
  ptauPath: string
  /** The file holds 2^power points per section (2^(power+1)−1 in section 2). */
  power: number
  waste: ToxicWaste
  curve: Bn128Curve
  progress: ProgressReporter
}

/**
 * DEV AND TEST ONLY. Writes a *prepared* powers-of-tau file (what `powersoftau prepare phase2` outputs) from
 * known tau, alpha and beta, with no ceremony: binfile `ptau` v1 with 11 sections, in snarkjs's order:
 * 1 header; 2 tau^i·G1 (i < 2^(K+1)−1); 3 tau^i·G2; 4 alpha·tau^i·G1; 5 beta·tau^i·G1 (2^K each); 6 beta·G2;
 * 7 no contributions; 12–15 the Lagrange forms of 2, 3, 4, 5 for every domain 2^p, p = 0…K (12 also K+1,
 * whose last monomial snarkjs replaces by zero). Its use is to check the direct zkey against `snarkjs zkey new`
 * and `zkey verify`; `snarkjs powersoftau verify` rejects it (no contribution chain).
 */
export async function writeFastPtau({ ptauPath, power, waste, curve, progress }: WriteFastPtauParameters): Promise<void> {
  const { tau, alpha, beta } = waste
  const binFileUtils = await loadBinFileUtils()
  const g1 = FixedBaseMultiplier.create(curve, 'G1')
  const g2 = FixedBaseMultiplier.create(curve, 'G2')
  const size = 2 ** power
  const monomials = powersOf(tau, 2 * size)
  const scaled = (values: readonly bigint[], factor: bigint): bigint[] => values.map((value) => (value * factor) % FR)
  const pool = await FixedBasePool.create(curve)
  const multiply = async (label: string, multiplier: FixedBaseMultiplier, scalars: readonly bigint[]): Promise<Uint8Array> => {
    const phase = progress.phase(label, scalars.length)
    const points = await pool.multiply(multiplier.group, scalarsToBytes(scalars), (done) => phase.advance(done))
    phase.finish()
    return points
  }
  try {

    const fd = await binFileUtils.createBinFile(ptauPath, 'ptau', 1, 11, 1 << 22, 1 << 24)
    const writeSection = async (id: number, ...parts: Uint8Array[]): Promise<void> => {
      await binFileUtils.startWriteSection(fd, id)
      for (const part of parts) await fd.write(part)
      await binFileUtils.endWriteSection(fd)
    }
    const u32 = (value: number): Uint8Array => {
      const bytes = new Uint8Array(4)
      new DataView(bytes.buffer).setUint32(0, value, true)
      return bytes
    }

    await writeSection(1, u32(32), scalarsToBytes([curve.q]), u32(power), u32(power))
    const tauG1Count = 2 * size - 1
    await writeSection(2, await multiply('ptau section 2 tau·G1', g1, monomials.slice(0, tauG1Count)))
    await writeSection(3, await multiply('ptau section 3 tau·G2', g2, monomials.slice(0, size)))
    await writeSection(4, await multiply('ptau section 4 alpha·tau·G1', g1, scaled(monomials.slice(0, size), alpha)))
    await writeSection(5, await multiply('ptau section 5 beta·tau·G1', g1, scaled(monomials.slice(0, size), beta)))
    await writeSection(6, g2.multiply(scalarsToBytes([beta])))
    await writeSection(7, u32(0))

    // Lagrange scalars for every domain 2^p, concatenated p = 0…K (and K+1 for tau·G1).
    const lagrange: bigint[] = []
    for (let p = 0; p <= power; p++) lagrange.push(...(await inverseFft(curve, monomials.slice(0, 2 ** p))))
    const lastChunk = monomials.slice(0, 2 * size)
    lastChunk[2 * size - 1] = 0n
    const tauG1Lagrange = [...lagrange, ...(await inverseFft(curve, lastChunk))]
    await writeSection(12, await multiply('ptau section 12 Lagrange tau·G1', g1, tauG1Lagrange))
    await writeSection(13, await multiply('ptau section 13 Lagrange tau·G2', g2, lagrange))
    await writeSection(14, await multiply('ptau section 14 Lagrange alpha·tau·G1', g1, scaled(lagrange, alpha)))
    await writeSection(15, await multiply('ptau section 15 Lagrange beta·tau·G1', g1, scaled(lagrange, beta)))
    await fd.close()
  } finally {
    await pool.close()
  }
}
