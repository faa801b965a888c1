import { secondsSince } from './cache.ts'
import { loadCliProgress, type ProgressBarHandle } from './vendor.ts'

/** One timed step of a long job ("section 5 A·G1"), advanced in units of `total`. */
export type Phase = {
  advance(units: number): void
  /** Ends the phase and returns its elapsed seconds. */
  finish(): number
}

export type ProgressReporter = {
  phase(label: string, total: number): Phase
  /** Seconds per finished phase, in order. */
  readonly timings: ReadonlyArray<{ label: string; seconds: number }>
}

export type ProgressParameters = {
  log: (line: string) => void
  /** A live bar needs a TTY and no CI; otherwise plain lines at start, at the end and, for big phases, every 25 %. */
  interactive?: boolean
}

/** Phases smaller than this (in units) log no intermediate lines: they take well under a second. */
const QUARTER_LINES_FROM = 16_384

export function isInteractiveTerminal(): boolean {
  return process.stdout.isTTY === true && process.env.CI !== 'true' && process.env.CI !== '1'
}

export async function createProgressReporter({ log, interactive = false }: ProgressParameters): Promise<ProgressReporter> {
  const cliProgress = interactive ? await loadCliProgress() : undefined
  const timings: Array<{ label: string; seconds: number }> = []
  return {
    timings,
    phase(label: string, total: number): Phase {
      const started = performance.now()
      let done = 0
      let bar: ProgressBarHandle | undefined
      let nextQuarter = 1
      if (cliProgress !== undefined && total > 1) {
        bar = new cliProgress.SingleBar(
          { format: `  ${label} [{bar}] {percentage}% {value}/{total} {duration_formatted}`, hideCursor: true, clearOnComplete: true },
          cliProgress.Presets.shades_classic,
        )
        bar.start(total, 0)
      } else {
        log(`  ${label}${total > 1 ? ` (${total})` : ''} …`)
      }
      return {
        advance(units: number): void {
          done += units
          if (bar !== undefined) {
            bar.update(done)
            return
          }
          while (total >= QUARTER_LINES_FROM && nextQuarter < 4 && done * 4 >= total * nextQuarter) {
            log(`  ${label}: ${nextQuarter * 25}% (${secondsSince(started)} s)`)
            nextQuarter++
          }
        },
        finish(): number {
          bar?.stop()
          const seconds = secondsSince(started)
          timings.push({ label, seconds })
          log(`  ${label}: done in ${seconds} s`)
          return seconds
        },
      }
    },
  }
}
