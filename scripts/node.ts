/**
 * `npm run node -- --config <file>`: runs the zkperp node (sequencer/node/node.ts) as its own process, from a JSON
 * config (the devnet writes one to `.devnet/node.json`). The operator key comes from $ZKPERP_OPERATOR_KEY, or from
 * the config's `l1.operatorPrivateKey` (dev only). Prints one JSON line `{"ready":true,…}` on stdout once it
 * serves; logs go to stderr (pino). SIGINT/SIGTERM stop it cleanly; a crash is recovered by starting it again.
 */
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { Command } from 'commander'
import pino from 'pino'
import { z } from 'zod'
import { genesisToJson, parseGenesisJson } from '../cli/genesisFile.ts'
import { startNode, type NodeParameters } from '../sequencer/node/node.ts'

const hex = z.string().regex(/^0x[0-9a-fA-F]*$/) as unknown as z.ZodType<`0x${string}`>
const decimal = z.union([z.string().regex(/^[0-9]+$/), z.number().int().nonnegative()]).transform((value) => BigInt(value))

const configSchema = z.object({
  genesis: z.unknown(),
  genesisTimestamp: decimal,
  dataDir: z.string(),
  circuit: z.object({ wasmPath: z.string(), zkeyPath: z.string(), vkeyPath: z.string() }),
  l1: z.object({
    rpcUrl: z.string(),
    chainId: z.number().int().positive(),
    zkPerp: hex,
    deploymentBlock: decimal,
    operatorPrivateKey: hex.optional(),
    confirmations: decimal.optional(),
  }),
  gateway: z.object({ host: z.string().optional(), port: z.number().int().nonnegative().optional() }).optional(),
  batch: z.object({ maxWaitMs: z.number().optional(), pollIntervalMs: z.number().optional() }).optional(),
  prover: z.object({ workers: z.number().int().positive().optional(), timeoutMs: z.number().optional() }).optional(),
  maxSettlementBacklog: decimal.optional(),
})

export type NodeConfigFile = z.input<typeof configSchema>

/** The JSON a node process reads (everything but the keeper, whose keys stay with the devnet process). */
export function nodeConfigFile(parameters: Omit<NodeParameters, 'logger' | 'keeper'>): NodeConfigFile {
  return JSON.parse(
    JSON.stringify({ ...parameters, genesis: genesisToJson(parameters.genesis) }, (_, value: unknown) => (typeof value === 'bigint' ? value.toString() : value)),
  ) as NodeConfigFile
}

function readConfig(path: string, environment: NodeJS.ProcessEnv): Omit<NodeParameters, 'logger'> {
  const parsed = configSchema.parse(JSON.parse(readFileSync(path, 'utf8')))
  const operatorPrivateKey = (environment.ZKPERP_OPERATOR_KEY as `0x${string}` | undefined) ?? parsed.l1.operatorPrivateKey
  if (operatorPrivateKey === undefined) throw new Error('no operator key: set ZKPERP_OPERATOR_KEY or l1.operatorPrivateKey')
  const { confirmations, ...l1 } = parsed.l1
  return {
    genesis: parseGenesisJson(parsed.genesis),
    genesisTimestamp: parsed.genesisTimestamp,
    dataDir: resolve(parsed.dataDir),
    circuit: parsed.circuit,
    l1: { ...l1, operatorPrivateKey, ...(confirmations === undefined ? {} : { confirmations }) },
    ...(parsed.gateway === undefined ? {} : { gateway: parsed.gateway }),
    ...(parsed.batch === undefined ? {} : { batch: parsed.batch }),
    ...(parsed.prover === undefined ? {} : { prover: parsed.prover }),
    ...(parsed.maxSettlementBacklog === undefined ? {} : { maxSettlementBacklog: parsed.maxSettlementBacklog }),
  } as Omit<NodeParameters, 'logger'>
}

async function main(argv: readonly string[]): Promise<void> {
  const options = new Command('node')
    .description('run the zkperp node: gateway, batcher, prover pool, chain watcher and submitter')
    .requiredOption('--config <file>', 'node config JSON (the devnet writes .devnet/node.json)')
    .parse([...argv], { from: 'user' })
    .opts<{ config: string }>()
  const logger = pino({ level: process.env.LOG_LEVEL ?? 'info' }, pino.destination(2))
  const node = await startNode({ ...readConfig(options.config, process.env), logger })
  process.stdout.write(`${JSON.stringify({ ready: true, gatewayUrl: node.gateway.url, httpUrl: node.gateway.httpUrl, pid: process.pid })}\n`)
  let stopping = false
  const shutdown = () => {
    if (stopping) return
    stopping = true
    node.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    )
  }
  process.on('SIGINT', shutdown)
  process.on('SIGTERM', shutdown)
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(`node failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
    process.exit(1)
  })
}
