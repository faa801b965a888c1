import pino from 'pino'
import { startDevnet, type Devnet, type DevnetParameters } from '../scripts/devnet.ts'

/** A devnet for tests: free ports for anvil and the gateway, no progress lines, a silent node logger. */
export function startQuietDevnet(stateDir: string, parameters: Pick<DevnetParameters, 'node' | 'fundingIntervalSeconds' | 'priorityDeadlineSeconds'>): Promise<Devnet> {
  return startDevnet({ port: 0, gatewayPort: 0, stateDir, log: () => {}, logger: pino({ level: 'silent' }), ...parameters })
}
