/**
 * Poseidon round constants and matrices, circomlib parameters (x^5 S-box, 8 full rounds, partial rounds by
 * width), in the optimized sparse-matrix form of filecoin's neptune. They are read at run time from the
 * circomlibjs package (a dependency) so the repository holds no copy that could drift from circom's.
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

export const FULL_ROUNDS = 8
/** Partial rounds for width t = inputs + 1, indexed by t − 2 (circomlib's N_ROUNDS_P). */
export const PARTIAL_ROUNDS = [56, 57, 56, 60, 60, 63, 64, 63, 60, 66, 60, 65, 70, 60, 64, 68] as const
export const MAX_INPUTS = PARTIAL_ROUNDS.length

/** Constants for one width t. C: round constants; M: MDS; P: pre-sparse matrix; S: sparse matrices (flat). */
export type PoseidonWidthConstants = {
  readonly width: number
  readonly partialRounds: number
  readonly C: readonly bigint[]
  readonly M: readonly (readonly bigint[])[]
  readonly P: readonly (readonly bigint[])[]
  readonly S: readonly bigint[]
}

type RawConstants = { C: string[][]; M: string[][][]; P: string[][][]; S: string[][] }

let raw: RawConstants | undefined
const byWidth = new Map<number, PoseidonWidthConstants>()

function loadRaw(): RawConstants {
  if (raw === undefined) {
    // circomlibjs exports only its entry point; its constants file sits beside it in the package.
    const entry = createRequire(import.meta.url).resolve('circomlibjs')
    const file = join(dirname(entry), '..', 'src', 'poseidon_constants_opt.json')
    raw = JSON.parse(readFileSync(file, 'utf8')) as RawConstants
  }
  return raw
}

/** Constants for `inputCount` inputs (1..16), parsed on first use and cached. */
export function poseidonConstants(inputCount: number): PoseidonWidthConstants {
  const width = inputCount + 1
  const cached = byWidth.get(width)
  if (cached !== undefined) return cached
  const source = loadRaw()
  const index = width - 2
  const C = source.C[index]
  const M = source.M[index]
  const P = source.P[index]
  const S = source.S[index]
  const partialRounds = PARTIAL_ROUNDS[index]
  if (C === undefined || M === undefined || P === undefined || S === undefined || partialRounds === undefined) {
    throw new RangeError(`no poseidon constants for width ${width}`)
  }
  const constants: PoseidonWidthConstants = {
    width,
    partialRounds,
    C: C.map(BigInt),
    M: M.map((row) => row.map(BigInt)),
    P: P.map((row) => row.map(BigInt)),
    S: S.map(BigInt),
  }
  byWidth.set(width, constants)
  return constants
}
