/** This package's version, read from its package.json (beside dist/ when installed, the repo root from source). */
import { readFileSync } from 'node:fs'
import { packageRoot } from './package-root.js'

export function packageVersion(): string {
  const { version } = JSON.parse(readFileSync(`${packageRoot()}/package.json`, 'utf8')) as { version: string }
  return version
}
