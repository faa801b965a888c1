/**
 * The subset of snarkjs 0.7.6 the smoke path calls beyond scripts/circuit/vendor.ts's (witness calculation and
 * check, prove from a witness, Solidity calldata), typed. snarkjs ships no type declarations, so the module is
 * loaded through a non-literal specifier (typed `any` by TypeScript) and given this shape once, here.
 */
export type Groth16Proof = {
  pi_a: [string, string, string]
  pi_b: [[string, string], [string, string], [string, string]]
  pi_c: [string, string, string]
  protocol: 'groth16'
  curve: 'bn128'
}

export type Groth16VerificationKey = {
  protocol: 'groth16'
  curve: 'bn128'
  nPublic: number
  [key: string]: unknown
}

/** An in-memory file for snarkjs and fastfile: `{ type: 'mem' }` is filled in by writers, read by readers. */
export type MemoryFile = { type: 'mem'; data?: Uint8Array }
export type FileSource = string | MemoryFile | Uint8Array

export type Logger = { debug(message: string): void; info(message: string): void; warn(message: string): void; error(message: string): void }

export type Snarkjs = {
  groth16: {
    fullProve(input: Record<string, unknown>, wasm: FileSource, zkey: FileSource, logger?: Logger): Promise<{ proof: Groth16Proof; publicSignals: string[] }>
    prove(zkey: FileSource, witness: FileSource, logger?: Logger): Promise<{ proof: Groth16Proof; publicSignals: string[] }>
    verify(verificationKey: Groth16VerificationKey, publicSignals: readonly string[], proof: Groth16Proof, logger?: Logger): Promise<boolean>
    exportSolidityCallData(proof: Groth16Proof, publicSignals: readonly string[]): Promise<string>
  }
  wtns: {
    calculate(input: Record<string, unknown>, wasm: FileSource, witness: FileSource): Promise<void>
    check(r1cs: FileSource, witness: FileSource, logger?: Logger): Promise<boolean>
  }
}

const SNARKJS_SPECIFIER: string = 'snarkjs'

let loaded: Promise<Snarkjs> | undefined

export function loadSnarkjs(): Promise<Snarkjs> {
  loaded ??= import(SNARKJS_SPECIFIER) as Promise<Snarkjs>
  return loaded
}
