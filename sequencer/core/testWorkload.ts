/**
 * A seeded, deterministic stream of sequencer inputs for tests and the gateway benchmark: new accounts funded by
 * deposits, signed oracle prices that keep the markets fresh, and signed orders (limit, IOC, post-only, market,
 * reduce-only, short expiries) around the oracle price, plus cancels. Some accounts are poorly funded so margin
 * rejections and refused fills happen too.
 */
import { signOraclePrice, signOrder } from '../../sdk/protocol/signing.ts'
import type { Genesis, SignedOrder } from '../../sdk/protocol/types.ts'
import { GENESIS_TIME, ORACLE_KEY, testGenesis, testKey, type TestKey } from '../../sdk/state/testFixtures.ts'
import { hash as nodeHash } from 'node:crypto'
import type { SequencerInput } from './inputCodec.ts'
import type { Sequencer, SequencerEvent } from './sequencer.ts'

export { GENESIS_TIME, ORACLE_KEY, testGenesis, testKey }

/** xorshift32: a tiny deterministic generator (tests only). */
export function createRandom(seed: number): (bound: number) => number {
  let x = seed >>> 0 || 0x9e3779b9
  return (bound: number) => {
    x ^= x << 13
    x >>>= 0
    x ^= x >>> 17
    x ^= x << 5
    x >>>= 0
    return x % bound
  }
}

export type TestTrader = { accountIndex: bigint; key: TestKey; nextStorageId: bigint }

export function traderKey(index: number): TestKey {
  return testKey(`trader-${index}`)
}

/** The deposit inputs creating `count` accounts (indices 2, 3, …); every fifth one gets only $100. */
/** Applies inputs as the next seqs (hash: sha256 of the seq) and returns every event they produced. */
export function applyInputs(sequencer: Sequencer, inputs: readonly SequencerInput[]): SequencerEvent[] {
  return inputs.flatMap((input) => {
    const seq = sequencer.lastSeq + 1n
    return sequencer.apply({ seq, hash: nodeHash('sha256', seq.toString(), 'buffer'), input }).events
  })
}

export function fundingInputs(count: number, time: bigint = GENESIS_TIME): SequencerInput[] {
  return Array.from({ length: count }, (_, i) => ({
    kind: 'deposit' as const,
    time,
    tx: {
      type: 'deposit' as const,
      accountIndex: 2n + BigInt(i),
      amount: i % 5 === 4 ? 100_000_000n : 1_000_000_000_000n,
      owner: 0xa11ce0n + BigInt(i),
      create: { publicKey: traderKey(i).publicKey, mode: 0 },
    },
  }))
}

export function oracleInput(genesis: Genesis, market: number, price: bigint, time: bigint): SequencerInput {
  return { kind: 'oraclePrice', time, tx: signOraclePrice({ market, price, timestamp: time }, ORACLE_KEY.privateKey, genesis.domain) }
}

export type WorkloadParameters = { seed: number; traders: number; inputs: number; genesis?: Genesis }

/** Deposits, then a mixed stream; time advances one second every 40 inputs, oracle prices every 20 seconds. */
export function generateWorkload({ seed, traders, inputs, genesis = testGenesis() }: WorkloadParameters): SequencerInput[] {
  const random = createRandom(seed)
  const out: SequencerInput[] = fundingInputs(traders)
  const nextStorageId = Array.from({ length: traders }, () => 1n)
  const submitted: SignedOrder[][] = Array.from({ length: traders }, () => [])
  const markets = genesis.markets.length
  let lastOracle = -1n
  for (let i = 0; i < inputs; i++) {
    const time = GENESIS_TIME + BigInt(Math.floor(i / 40))
    if (time - lastOracle >= 20n) {
      for (let m = 0; m < markets; m++) {
        const base = genesis.markets[m]!.initialPrice
        out.push(oracleInput(genesis, m, base + BigInt(random(200)) * 10n - 1000n, time))
      }
      lastOracle = time
    }
    const t = random(traders)
    const trader = traderKey(t)
    const roll = random(100)
    if (roll < 10 && submitted[t]!.length > 0) {
      const target = submitted[t]![random(submitted[t]!.length)]!
      out.push({ kind: 'cancel', time, accountIndex: target.accountIndex, market: target.market, storageId: target.storageId })
      continue
    }
    const market = random(markets)
    const { initialPrice, metadata } = genesis.markets[market]!
    const isBuy = random(2) === 0
    // Buyers bid below and sellers ask above the mid most of the time, so books build up and cross sometimes.
    const ticksAway = BigInt(random(40)) - 10n
    const limitPrice = isBuy ? initialPrice - ticksAway * metadata.tickSize : initialPrice + ticksAway * metadata.tickSize
    const storageId = nextStorageId[t]!
    nextStorageId[t] = storageId + 1n + BigInt(random(3) === 0 ? 16 : 0)
    const kindRoll = random(100)
    const order = signOrder(
      {
        accountIndex: 2n + BigInt(t),
        market,
        isBuy,
        reduceOnly: kindRoll >= 95,
        size: 1n + BigInt(random(20)),
        limitPrice,
        storageId,
        expiry: time + 2n + BigInt(random(30)),
      },
      trader.privateKey,
      genesis.domain,
    )
    submitted[t]!.push(order)
    out.push({
      kind: 'order',
      time,
      order,
      orderType: kindRoll < 5 ? 'market' : 'limit',
      timeInForce: kindRoll >= 5 && kindRoll < 15 ? 'IOC' : 'GTC',
      postOnly: kindRoll >= 15 && kindRoll < 22,
      selfTradePrevention: 'expireMaker',
      clientOrderId: random(4) === 0 ? `c${t}-${storageId}` : undefined,
    })
  }
  return out
}
