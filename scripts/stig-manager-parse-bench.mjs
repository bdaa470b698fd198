// Times STIG Manager's reviewsFromCkl parsing one CKL, in-process, repeated to amortize node's
// startup. Usage: node scripts/stig-manager-parse-bench.mjs FILE ITERATIONS
// Prints: stig_manager_reviewsFromCkl_ms <mean milliseconds per parse>
import fs from 'fs'
import path from 'path'
import { fileURLToPath, pathToFileURL } from 'url'

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..')
const entry = path.join(root, 'tests/node/node_modules/@nuwcdivnpt/stig-manager-client-modules/index.js')
const { reviewsFromCkl } = await import(pathToFileURL(entry).href)
const [file, count] = process.argv.slice(2)
const iterations = Number(count || 10)
const data = fs.readFileSync(file, 'utf8')
// STIG Manager's default collection settings, as tests/node/parse.mjs uses them.
const importOptions = {
  autoStatus: { fail: 'saved', notapplicable: 'saved', pass: 'saved' },
  unreviewed: 'always', unreviewedCommented: 'informational',
  emptyDetail: 'replace', emptyComment: 'ignore', allowCustom: true,
}
const fieldSettings = { detail: { enabled: 'always', required: 'always' }, comment: { enabled: 'findings', required: 'findings' } }
const parse = () => reviewsFromCkl({
  data, importOptions, fieldSettings, allowAccept: true, sourceRef: file, scapBenchmarkMap: new Map(),
})
for (let i = 0; i < 3; i++) parse()
const start = process.hrtime.bigint()
let rules = 0
for (let i = 0; i < iterations; i++) rules = parse().checklists[0].reviews.length
const ms = Number(process.hrtime.bigint() - start) / 1e6 / iterations
console.log(`stig_manager_reviewsFromCkl_ms ${ms.toFixed(3)} reviews ${rules}`)
