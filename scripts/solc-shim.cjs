#!/usr/bin/env node
// forge's compiler, offline: answers forge's `solc --version` and `--standard-json` calls with solcjs from npm,
// so no compiler binary is ever downloaded.
'use strict'
const fs = require('node:fs')
const path = require('node:path')
const solc = require('solc')

const args = process.argv.slice(2)
if (args.includes('--version')) {
  process.stdout.write(`solc, the solidity compiler commandline interface\nVersion: ${solc.version()}\n`)
  process.exit(0)
}

const flagValue = (flag) => {
  const index = args.indexOf(flag)
  return index >= 0 ? args[index + 1] : undefined
}
const basePath = flagValue('--base-path') ?? process.cwd()
const searchRoots = [basePath, ...(flagValue('--include-path') ? [flagValue('--include-path')] : []),
  path.join(basePath, 'node_modules'), process.cwd()]

// forge inlines every source it knows; this callback only covers imports it did not resolve itself.
function findImports(importPath) {
  for (const root of searchRoots) {
    const candidate = path.resolve(root, importPath)
    if (fs.existsSync(candidate)) return { contents: fs.readFileSync(candidate, 'utf8') }
  }
  return { error: `File not found: ${importPath}` }
}

const input = fs.readFileSync(0, 'utf8')
process.stdout.write(solc.compile(input, { import: findImports }))
