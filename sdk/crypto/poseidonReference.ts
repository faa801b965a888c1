/**
 * Poseidon in plain bigint arithmetic, step for step circomlibjs's `poseidon_opt.js`. It is the readable
 * definition the fast kernel is tested against; the order path calls `poseidon` in `poseidon.ts`.
 */
import { FIELD_MODULUS as r } from './field.ts'
import { FULL_ROUNDS, poseidonConstants } from './poseidonConstants.ts'

function pow5(a: bigint): bigint {
  const a2 = (a * a) % r
  return (((a2 * a2) % r) * a) % r
}

/** Multiply the row vector `state` by matrix `matrix` (state'[i] = Σ_j matrix[j][i] · state[j]). */
function mixInto(state: bigint[], matrix: readonly (readonly bigint[])[]): bigint[] {
  const width = state.length
  const next = new Array<bigint>(width)
  for (let i = 0; i < width; i++) {
    let sum = 0n
    for (let j = 0; j < width; j++) sum += (matrix[j]![i]! * state[j]!)
    next[i] = sum % r
  }
  return next
}

/** Inputs must already be field elements and 1..16 of them; `poseidon.ts` checks that. */
export function poseidonReference(inputs: readonly bigint[]): bigint {
  const { width: t, partialRounds, C, M, P, S } = poseidonConstants(inputs.length)
  let state = [0n, ...inputs].map((value, i) => (value + C[i]!) % r)
  const halfFull = FULL_ROUNDS / 2
  for (let round = 0; round < halfFull - 1; round++) {
    state = state.map((value, i) => (pow5(value) + C[(round + 1) * t + i]!) % r)
    state = mixInto(state, M)
  }
  state = state.map((value, i) => (pow5(value) + C[halfFull * t + i]!) % r)
  state = mixInto(state, P)
  for (let round = 0; round < partialRounds; round++) {
    state[0] = (pow5(state[0]!) + C[(halfFull + 1) * t + round]!) % r
    const base = (t * 2 - 1) * round
    let s0 = 0n
    for (let j = 0; j < t; j++) s0 += S[base + j]! * state[j]!
    for (let k = 1; k < t; k++) state[k] = (state[k]! + state[0]! * S[base + t + k - 1]!) % r
    state[0] = s0 % r
  }
  for (let round = 0; round < halfFull - 1; round++) {
    state = state.map((value, i) => (pow5(value) + C[(halfFull + 1) * t + partialRounds + round * t + i]!) % r)
    state = mixInto(state, M)
  }
  state = mixInto(state.map(pow5), M)
  return state[0]!
}
