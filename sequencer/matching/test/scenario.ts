import { createHash } from 'node:crypto'
import { MatchingEventRecorder, serializeMatchingEvents } from '../eventRecorder.ts'
import { MatchingEngine } from '../matchingEngine.ts'
import type { OrderRequest, SelfTradePrevention, Side } from '../types.ts'
import { mulberry32 } from '../workload.ts'

/** One input of the engine, as the input log would journal it. */
export type ScenarioInput =
  | { kind: 'submit'; order: OrderRequest; now: bigint }
  | { kind: 'cancel'; account: number; orderId: bigint }
  | { kind: 'cancelAll'; account: number }
  | { kind: 'amend'; account: number; orderId: bigint; replacement: OrderRequest; now: bigint }
  | { kind: 'expire'; now: bigint }

/**
 * A seeded input sequence using every feature: limit / market / IOC / post-only / reduce-only / GTT, all self-trade
 * modes, cancels, cancel-all and amends, with time moving forward. Ids are drawn from a small range per account so
 * duplicates and unknown orders occur too.
 */
export function scenarioInputs(seed: number, count: number): ScenarioInput[] {
  const random = mulberry32(seed)
  const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)]!
  const modes: readonly SelfTradePrevention[] = ['expireTaker', 'expireMaker', 'expireBoth']
  const inputs: ScenarioInput[] = []
  let now = 1_000n
  const order = (account: number): OrderRequest => {
    const side: Side = random() < 0.5 ? 'buy' : 'sell'
    const common = {
      account,
      orderId: BigInt(Math.floor(random() * 40)),
      side,
      size: BigInt(1 + Math.floor(random() * 30)),
      ...(random() < 0.1 ? { reduceOnly: true } : {}),
      ...(random() < 0.3 ? { selfTradePrevention: pick(modes) } : {}),
      ...(random() < 0.3 ? { expiresAt: now + BigInt(Math.floor(random() * 20)) } : {}),
    }
    if (random() < 0.12) {
      return { ...common, type: 'market', ...(random() < 0.5 ? { protectionPrice: BigInt(980 + Math.floor(random() * 40)) * 10n } : {}) }
    }
    const mid = side === 'buy' ? 995 : 1005
    const ticks = mid + Math.floor((random() - 0.5) * 24)
    return {
      ...common,
      type: 'limit',
      price: BigInt(ticks) * 10n,
      ...(random() < 0.15 ? { timeInForce: 'IOC' as const } : {}),
      ...(random() < 0.1 ? { postOnly: true } : {}),
    }
  }
  for (let index = 0; index < count; index++) {
    if (random() < 0.1) now += BigInt(1 + Math.floor(random() * 5))
    const account = 1 + Math.floor(random() * 6)
    const draw = random()
    if (draw < 0.6) inputs.push({ kind: 'submit', order: order(account), now })
    else if (draw < 0.82) inputs.push({ kind: 'cancel', account, orderId: BigInt(Math.floor(random() * 40)) })
    else if (draw < 0.84) inputs.push({ kind: 'cancelAll', account })
    else if (draw < 0.96) {
      inputs.push({ kind: 'amend', account, orderId: BigInt(Math.floor(random() * 40)), replacement: order(account), now })
    } else inputs.push({ kind: 'expire', now })
  }
  return inputs
}

/** An engine with a recorder that also applies fills to positions, as the position manager will. */
export function scenarioEngine(
  initialPositions: ReadonlyMap<number, bigint> = new Map([
    [1, 40n],
    [2, -40n],
  ]),
): {
  engine: MatchingEngine
  recorder: MatchingEventRecorder
  positions: Map<number, bigint>
} {
  const positions = new Map(initialPositions)
  const recorder = new MatchingEventRecorder()
  const record = recorder.fill.bind(recorder)
  recorder.fill = (takerAccount, takerOrderId, makerAccount, makerOrderId, price, size, takerSide) => {
    const signed = takerSide === 'buy' ? size : -size
    positions.set(takerAccount, (positions.get(takerAccount) ?? 0n) + signed)
    positions.set(makerAccount, (positions.get(makerAccount) ?? 0n) - signed)
    record(takerAccount, takerOrderId, makerAccount, makerOrderId, price, size, takerSide)
  }
  const engine = new MatchingEngine({
    market: 3,
    tickSize: 10n,
    sink: recorder,
    positionOf: (account) => positions.get(account) ?? 0n,
    initialCapacity: 4,
  })
  return { engine, recorder, positions }
}

export function applyInput(engine: MatchingEngine, input: ScenarioInput): void {
  switch (input.kind) {
    case 'submit':
      return engine.submit(input.order, input.now)
    case 'cancel':
      return engine.cancel(input.account, input.orderId)
    case 'cancelAll':
      engine.cancelAll(input.account)
      return
    case 'amend':
      return engine.amend(input.account, input.orderId, input.replacement, input.now)
    case 'expire':
      return engine.expire(input.now)
  }
}

/** Runs the scenario on a fresh engine; returns the canonical event bytes and their sha256. */
export function replayScenario(seed: number, count: number): { bytes: string; digest: string; events: number } {
  const { engine, recorder } = scenarioEngine()
  for (const input of scenarioInputs(seed, count)) applyInput(engine, input)
  const bytes = serializeMatchingEvents(recorder.events)
  return { bytes, digest: createHash('sha256').update(bytes).digest('hex'), events: recorder.events.length }
}

// Entry point for the fresh-process replay test: prints the digest of a scenario given on the command line.
if (process.argv[1]?.endsWith('scenario.ts') && process.argv[2] === '--digest') {
  const { digest, events } = replayScenario(Number(process.argv[3]), Number(process.argv[4]))
  console.log(JSON.stringify({ digest, events }))
}
