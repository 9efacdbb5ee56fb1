/** The machine's description for RESULTS.md, and the audit check shared by the LAN scenarios. */
import { readFileSync } from 'node:fs'
import { cpus, release, totalmem } from 'node:os'

export function machine(): string {
  const cpu = cpus()[0]?.model ?? 'unknown CPU'
  let os = `${process.platform} ${release()}`
  try {
    os = `${/PRETTY_NAME="([^"]+)"/.exec(readFileSync('/etc/os-release', 'utf8'))?.[1]} (kernel ${release()})`
  } catch {
    /* keep the short form */
  }
  return `${cpus().length} × ${cpu}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${os}`
}

export function check(name: string, a: { lost: number; duplicated: number; acknowledged: number; found: number }): void {
  if (a.lost > 0 || a.duplicated > 0) {
    throw new Error(
      `${name}: ${a.lost} of ${a.acknowledged} acknowledged messages lost, ${a.duplicated} duplicated — no figure is reported`,
    )
  }
}

export const ratio = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(2)}×` : 'n/a')
