/**
 * Typed entry points into the untyped JavaScript packages the circuit pipeline uses (snarkjs, ffjavascript,
 * @iden3/binfileutils, cli-progress). None of them ships declarations; rather than an ambient `declare module`
 * that could clash with another folder's, each is loaded through a variable specifier and given the narrow
 * interface this folder relies on.
 */

/** Loads a package by name without TypeScript resolving it (no declarations exist). */
async function importUntyped<T>(specifier: string): Promise<T> {
  return (await import(specifier)) as T
}

// ---------------------------------------------------------------- @iden3/binfileutils

/** The file handle of @iden3/binfileutils (fastfile): a paged, positioned reader/writer. */
export type BinFile = {
  pos: number
  totalSize: number
  write(buffer: Uint8Array, position?: number): Promise<void>
  writeULE32(value: number, position?: number): Promise<void>
  writeULE64(value: number, position?: number): Promise<void>
  read(length: number, position?: number): Promise<Uint8Array>
  readULE32(position?: number): Promise<number>
  readULE64(position?: number): Promise<number>
  close(): Promise<void>
}

export type BinSections = Array<Array<{ p: number; size: number }> | undefined>

export type BinFileUtils = {
  readBinFile(
    fileName: string,
    type: string,
    maxVersion: number,
    cacheSize?: number,
    pageSize?: number,
  ): Promise<{ fd: BinFile; sections: BinSections }>
  createBinFile(
    fileName: string,
    type: string,
    version: number,
    nSections: number,
    cacheSize?: number,
    pageSize?: number,
  ): Promise<BinFile>
  startWriteSection(fd: BinFile, idSection: number): Promise<void>
  endWriteSection(fd: BinFile): Promise<void>
  readSection(fd: BinFile, sections: BinSections, idSection: number, offset?: number, length?: number): Promise<Uint8Array>
}

export async function loadBinFileUtils(): Promise<BinFileUtils> {
  return importUntyped<BinFileUtils>('@iden3/binfileutils')
}

// ---------------------------------------------------------------- ffjavascript

/** A point or field element in ffjavascript's internal representation (Montgomery bytes). */
export type CurveElement = Uint8Array

export type WasmExports = Record<string, (...args: number[]) => number>

export type ThreadManager = {
  memory: { buffer: ArrayBuffer; grow(pages: number): number }
  u8: Uint8Array
  u32: Uint32Array
  instance: { exports: WasmExports }
  concurrency: number
  alloc(length: number): number
}

export type WasmGroup = {
  g: CurveElement
  zero: CurveElement
  F: { n8: number }
  timesFr(point: CurveElement, scalar: CurveElement): CurveElement
  toAffine(point: CurveElement): CurveElement
  eq(a: CurveElement, b: CurveElement): boolean
  fromRng(rng: unknown): CurveElement
  toRprLEM(buffer: Uint8Array, offset: number, point: CurveElement): void
  toRprUncompressed(buffer: Uint8Array, offset: number, point: CurveElement): void
  fromRprLEM(buffer: Uint8Array, offset: number): CurveElement
  batchLEMtoU(buffer: Uint8Array): Promise<Uint8Array>
}

export type WasmField = {
  n8: number
  e(value: bigint | number | string): CurveElement
  toRprLE(buffer: Uint8Array, offset: number, element: CurveElement): void
  ifft(buffer: Uint8Array): Promise<Uint8Array>
  batchToMontgomery(buffer: Uint8Array): Promise<Uint8Array>
  batchFromMontgomery(buffer: Uint8Array): Promise<Uint8Array>
}

export type Bn128Curve = {
  q: bigint
  r: bigint
  G1: WasmGroup
  G2: WasmGroup
  Fr: WasmField
  tm: ThreadManager
  terminate(): Promise<void>
}

export type Ffjavascript = {
  buildBn128(singleThread?: boolean): Promise<Bn128Curve>
  ChaCha: new (seed: number[]) => unknown
}

export async function loadFfjavascript(): Promise<Ffjavascript> {
  return importUntyped<Ffjavascript>('ffjavascript')
}

/**
 * The shared multi-threaded bn128 instance. ffjavascript caches it on `globalThis.curve_bn128`, and snarkjs
 * reuses the same one, so all points and workers in this process come from a single WASM module.
 */
export async function loadBn128(): Promise<Bn128Curve> {
  const { buildBn128 } = await loadFfjavascript()
  return buildBn128()
}

/** Stops the bn128 worker threads, if any were started, so a CLI can exit. */
export async function terminateBn128(): Promise<void> {
  const cached = (globalThis as { curve_bn128?: Bn128Curve }).curve_bn128
  if (cached !== undefined) {
    await cached.terminate()
    delete (globalThis as { curve_bn128?: Bn128Curve }).curve_bn128
  }
}

// ---------------------------------------------------------------- snarkjs

export type SnarkjsLogger = {
  debug(message: string): void
  info(message: string): void
  warn(message: string): void
  error(message: string): void
}

export type Groth16Proof = { pi_a: string[]; pi_b: string[][]; pi_c: string[]; protocol: string; curve: string }

export type VerificationKey = {
  protocol: string
  curve: string
  nPublic: number
  vk_alpha_1: string[]
  vk_beta_2: string[][]
  vk_gamma_2: string[][]
  vk_delta_2: string[][]
  IC: string[][]
}

export type Snarkjs = {
  zKey: {
    newZKey(r1csName: string, ptauName: string, zkeyName: string, logger?: SnarkjsLogger): Promise<Uint8Array>
    contribute(
      zkeyNameOld: string,
      zkeyNameNew: string,
      name: string,
      entropy: string,
      logger?: SnarkjsLogger,
    ): Promise<Uint8Array>
    beacon(
      zkeyNameOld: string,
      zkeyNameNew: string,
      name: string,
      beaconHashStr: string,
      numIterationsExp: number,
      logger?: SnarkjsLogger,
    ): Promise<Uint8Array>
    verifyFromR1cs(r1csName: string, ptauName: string, zkeyName: string, logger?: SnarkjsLogger): Promise<boolean>
    verifyFromInit(initName: string, ptauName: string, zkeyName: string, logger?: SnarkjsLogger): Promise<boolean>
    exportVerificationKey(zkeyName: string, logger?: SnarkjsLogger): Promise<VerificationKey>
    exportSolidityVerifier(zkeyName: string, templates: { groth16: string }, logger?: SnarkjsLogger): Promise<string>
  }
  powersOfTau: {
    newAccumulator(curve: Bn128Curve, power: number, fileName: string, logger?: SnarkjsLogger): Promise<Uint8Array>
    contribute(
      oldPtauFilename: string,
      newPTauFilename: string,
      name: string,
      entropy: string,
      logger?: SnarkjsLogger,
    ): Promise<Uint8Array>
    preparePhase2(oldPtauFilename: string, newPTauFilename: string, logger?: SnarkjsLogger): Promise<void>
  }
  groth16: {
    fullProve(
      input: Record<string, unknown>,
      wasmFile: string,
      zkeyFileName: string,
      logger?: SnarkjsLogger,
    ): Promise<{ proof: Groth16Proof; publicSignals: string[] }>
    verify(vkey: VerificationKey, publicSignals: readonly string[], proof: Groth16Proof, logger?: SnarkjsLogger): Promise<boolean>
  }
}

export async function loadSnarkjs(): Promise<Snarkjs> {
  return importUntyped<Snarkjs>('snarkjs')
}

// ---------------------------------------------------------------- cli-progress

export type ProgressBarHandle = {
  start(total: number, startValue: number, payload?: Record<string, unknown>): void
  update(value: number, payload?: Record<string, unknown>): void
  stop(): void
}

export type CliProgress = {
  SingleBar: new (options: Record<string, unknown>, preset?: unknown) => ProgressBarHandle
  Presets: { shades_classic: unknown }
}

export async function loadCliProgress(): Promise<CliProgress> {
  const module = await importUntyped<{ default?: CliProgress } & CliProgress>('cli-progress')
  return module.default ?? module
}
