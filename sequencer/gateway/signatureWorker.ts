/** Piscina worker: hashes and checks one group of signatures (see `checkGroup`); the main thread names failures. */
import { checkGroup, type WorkerResult, type WorkerTask } from './signatureVerifier.ts'

export default function verifyGroup(task: WorkerTask): WorkerResult {
  return checkGroup(task)
}
