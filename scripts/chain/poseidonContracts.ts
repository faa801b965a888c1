/**
 * Poseidon hash contracts for the exit path of ZkPerp (docs/protocol.md §2, §8), with circomlib's parameters.
 *
 * - Arities 1..6: circomlibjs `poseidonContract.createCode(n)` (stack-only EVM code, the cheapest).
 * - Arities 7..8: circomlibjs cannot generate them (its generator keeps the t = n + 1 state words on the stack and
 *   needs DUP beyond DUP16: `createCode(7)` throws "Assertion failed"). For these we emit a Yul object whose round
 *   constants and MDS matrix are circomlibjs's own `poseidon_constants.json`, embedded as a data section, and
 *   compile it with the pinned solc. Arity 9 and above do not fit the 24,576-byte code limit this way.
 *
 * Every contract has circomlibjs's ABI: `poseidon(uint256[n]) returns (uint256)` (the circomlibjs code ignores the
 * selector; the Yul code does too, reading the n words after it).
 *
 * CLI: `tsx scripts/chain/poseidonContracts.ts --write` regenerates contracts/test/fixtures/poseidon.json (the forge
 * tests deploy from it); `--check` exits 1 when the committed file differs from a fresh generation.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join, resolve } from 'node:path'
import { BaseError } from '../../sdk/errors.ts'

export type Hex = `0x${string}`

/** Largest arity circomlibjs's generator supports. */
export const CIRCOMLIBJS_MAX_INPUTS = 6
/** Largest arity whose constants fit a single contract under EIP-170. */
export const MAX_POSEIDON_CONTRACT_INPUTS = 8
export const POSEIDON_FIXTURE_PATH = join(resolve(import.meta.dirname, '../..'), 'contracts/test/fixtures/poseidon.json')

const FIELD_MODULUS = 0x30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001n
const ROUNDS_FULL = 8
const ROUNDS_PARTIAL = [56, 57, 56, 60, 60, 63, 64, 63, 60, 66, 60, 65, 70, 60, 64, 68] as const

export class PoseidonArityError extends BaseError {
  static readonly code = 'POSEIDON_CONTRACT_ARITY' as const
  override readonly name = 'Chain.PoseidonArityError'
  constructor(readonly arity: number, readonly generator: string) {
    super(PoseidonArityError.code, 'no Poseidon contract generator for this arity', { details: { arity, generator } })
  }
}

export class PoseidonCompileError extends BaseError {
  static readonly code = 'POSEIDON_CONTRACT_COMPILE' as const
  override readonly name = 'Chain.PoseidonCompileError'
  constructor(readonly arity: number, readonly errors: readonly string[]) {
    super(PoseidonCompileError.code, 'solc rejected the generated Poseidon Yul', { details: { arity, errors } })
  }
}

type CircomlibjsPoseidonContract = { createCode(nInputs: number): string }
type SolcModule = { compile(input: string): string }
const require = createRequire(import.meta.url)

async function loadCircomlibjs(): Promise<CircomlibjsPoseidonContract> {
  // circomlibjs ships no type declarations: import through a variable specifier so tsc does not resolve it.
  const specifier = 'circomlibjs'
  const module = (await import(specifier)) as { poseidonContract: CircomlibjsPoseidonContract }
  return module.poseidonContract
}

/** Creation bytecode from circomlibjs `poseidonContract.createCode(arity)`, arity 1..6. */
export async function circomlibjsPoseidonCreationCode(arity: number): Promise<Hex> {
  if (!Number.isInteger(arity) || arity < 1 || arity > CIRCOMLIBJS_MAX_INPUTS) throw new PoseidonArityError(arity, 'circomlibjs')
  const code = (await loadCircomlibjs()).createCode(arity)
  return (code.startsWith('0x') ? code : `0x${code}`) as Hex
}

type PoseidonConstants = { C: string[][]; M: string[][][] }

function loadConstants(): PoseidonConstants {
  const path = join(resolve(import.meta.dirname, '../..'), 'node_modules/circomlibjs/src/poseidon_constants.json')
  return JSON.parse(readFileSync(path, 'utf8')) as PoseidonConstants
}

function word(value: string): string {
  const number = BigInt(value)
  if (number < 0n || number >= FIELD_MODULUS) throw new RangeError(`Poseidon constant out of field: ${value}`)
  return number.toString(16).padStart(64, '0')
}

/**
 * The Yul source of a Poseidon contract for `arity` inputs: the reference permutation (state = [0, inputs…]; per
 * round: add constants, S-box x^5 on all words in full rounds and on word 0 in partial rounds, multiply by M),
 * with the constants copied from the data section into memory.
 */
export function poseidonYulSource(arity: number): string {
  if (!Number.isInteger(arity) || arity < 1 || arity > MAX_POSEIDON_CONTRACT_INPUTS) throw new PoseidonArityError(arity, 'yul')
  const t = arity + 1
  const roundsPartial = ROUNDS_PARTIAL[t - 2]!
  const rounds = ROUNDS_FULL + roundsPartial
  const constants = loadConstants()
  const roundConstants = constants.C[t - 2]!
  const matrix = constants.M[t - 2]!
  if (roundConstants.length !== rounds * t || matrix.length !== t) throw new RangeError(`unexpected constants for t = ${t}`)
  const data = roundConstants.map(word).join('') + matrix.flatMap((row) => row.map(word)).join('')
  // Memory: state at 0x80, next state after it, constants C after that, then M.
  const state = 0x80
  const next = state + 32 * t
  const cOffset = next + 32 * t
  const mOffset = cOffset + 32 * rounds * t
  return `object "PoseidonT${t}" {
  code {
    datacopy(0, dataoffset("runtime"), datasize("runtime"))
    return(0, datasize("runtime"))
  }
  object "runtime" {
    code {
      let p := 0x${FIELD_MODULUS.toString(16)}
      if lt(calldatasize(), ${4 + 32 * arity}) { revert(0, 0) }
      datacopy(${cOffset}, dataoffset("constants"), datasize("constants"))
      mstore(${state}, 0)
      for { let i := 1 } lt(i, ${t}) { i := add(i, 1) } {
        mstore(add(${state}, mul(i, 32)), mod(calldataload(add(4, mul(sub(i, 1), 32))), p))
      }
      for { let r := 0 } lt(r, ${rounds}) { r := add(r, 1) } {
        let c := add(${cOffset}, mul(r, ${32 * t}))
        let full := or(lt(r, ${ROUNDS_FULL / 2}), iszero(lt(r, ${ROUNDS_FULL / 2 + roundsPartial})))
        for { let i := 0 } lt(i, ${t}) { i := add(i, 1) } {
          let slot := add(${state}, mul(i, 32))
          let x := addmod(mload(slot), mload(add(c, mul(i, 32))), p)
          if or(full, iszero(i)) {
            let x2 := mulmod(x, x, p)
            x := mulmod(mulmod(x2, x2, p), x, p)
          }
          mstore(slot, x)
        }
        for { let i := 0 } lt(i, ${t}) { i := add(i, 1) } {
          let row := add(${mOffset}, mul(i, ${32 * t}))
          let acc := 0
          for { let j := 0 } lt(j, ${t}) { j := add(j, 1) } {
            acc := addmod(acc, mulmod(mload(add(row, mul(j, 32))), mload(add(${state}, mul(j, 32))), p), p)
          }
          mstore(add(${next}, mul(i, 32)), acc)
        }
        mcopy(${state}, ${next}, ${32 * t})
      }
      mstore(0, mload(${state}))
      return(0, 32)
    }
    data "constants" hex"${data}"
  }
}
`
}

/** Creation bytecode of the Yul Poseidon contract for `arity` inputs (1..8), compiled with the pinned solc. */
export function yulPoseidonCreationCode(arity: number): Hex {
  const source = poseidonYulSource(arity)
  const solc = require('solc') as SolcModule
  const input = {
    language: 'Yul',
    sources: { 'Poseidon.yul': { content: source } },
    settings: {
      evmVersion: 'cancun',
      optimizer: { enabled: true, details: { yul: true } },
      outputSelection: { '*': { '*': ['evm.bytecode.object'] } },
    },
  }
  const output = JSON.parse(solc.compile(JSON.stringify(input))) as {
    errors?: { severity: string; formattedMessage: string }[]
    contracts?: Record<string, Record<string, { evm: { bytecode: { object: string } } }>>
  }
  const errors = (output.errors ?? []).filter((error) => error.severity === 'error').map((error) => error.formattedMessage)
  const contract = output.contracts?.['Poseidon.yul']?.[`PoseidonT${arity + 1}`]
  if (errors.length > 0 || contract === undefined) throw new PoseidonCompileError(arity, errors)
  return `0x${contract.evm.bytecode.object}`
}

/** The contract ZkPerp uses for an arity: circomlibjs where it can generate one, the Yul contract above that. */
export async function poseidonCreationCode(arity: number): Promise<Hex> {
  return arity <= CIRCOMLIBJS_MAX_INPUTS ? circomlibjsPoseidonCreationCode(arity) : yulPoseidonCreationCode(arity)
}

export type PoseidonFixture = {
  readonly note: string
  /** circomlibjs createCode(n), keys `inputs<n>`, n = 1..6. */
  readonly circomlibjs: Record<string, Hex>
  /** The Yul contracts, keys `inputs<n>`, n = 1..8 (n ≤ 6 only for the differential test against circomlibjs). */
  readonly yul: Record<string, Hex>
}

export async function buildPoseidonFixture(): Promise<PoseidonFixture> {
  const circomlibjs: Record<string, Hex> = {}
  const yul: Record<string, Hex> = {}
  for (let arity = 1; arity <= CIRCOMLIBJS_MAX_INPUTS; arity++) circomlibjs[`inputs${arity}`] = await circomlibjsPoseidonCreationCode(arity)
  for (let arity = 1; arity <= MAX_POSEIDON_CONTRACT_INPUTS; arity++) yul[`inputs${arity}`] = yulPoseidonCreationCode(arity)
  return {
    note: 'Generated by scripts/chain/poseidonContracts.ts --write; do not edit. Creation bytecode per arity.',
    circomlibjs,
    yul,
  }
}

export function serializePoseidonFixture(fixture: PoseidonFixture): string {
  return `${JSON.stringify(fixture, null, 2)}\n`
}

async function main(argv: readonly string[]): Promise<number> {
  const fresh = serializePoseidonFixture(await buildPoseidonFixture())
  if (argv.includes('--write')) {
    writeFileSync(POSEIDON_FIXTURE_PATH, fresh)
    process.stdout.write(`wrote ${POSEIDON_FIXTURE_PATH}\n`)
    return 0
  }
  if (argv.includes('--check')) {
    const committed = readFileSync(POSEIDON_FIXTURE_PATH, 'utf8')
    if (committed !== fresh) {
      process.stderr.write(`${POSEIDON_FIXTURE_PATH} differs from a fresh generation; run with --write\n`)
      return 1
    }
    process.stdout.write('poseidon fixture up to date\n')
    return 0
  }
  process.stderr.write('usage: tsx scripts/chain/poseidonContracts.ts --write | --check\n')
  return 2
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  main(process.argv.slice(2)).then((code) => process.exit(code), (error: unknown) => {
    process.stderr.write(`${String(error)}\n`)
    process.exit(1)
  })
}
