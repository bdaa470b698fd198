// Parses a checklist with STIG Manager's own parsers and prints what it understood as JSON.
// Usage: node parse.mjs ckl|cklb|xccdf FILE
// Exit 1 (with the parser's message on stderr) when the parser throws.
import fs from 'fs'
import { reviewsFromCkl, reviewsFromCklb, reviewsFromXccdf } from '@nuwcdivnpt/stig-manager-client-modules'

const [kind, file] = process.argv.slice(2)
const parsers = { ckl: reviewsFromCkl, cklb: reviewsFromCklb, xccdf: reviewsFromXccdf }
const parse = parsers[kind]
if (!parse || !file) {
  console.error('usage: node parse.mjs ckl|cklb|xccdf FILE')
  process.exit(2)
}
// STIG Manager's default collection settings (api/source/controllers/Collection.js).
const importOptions = {
  autoStatus: { fail: 'saved', notapplicable: 'saved', pass: 'saved' },
  unreviewed: 'always', unreviewedCommented: 'informational',
  emptyDetail: 'replace', emptyComment: 'ignore', allowCustom: true,
}
const fieldSettings = { detail: { enabled: 'always', required: 'always' }, comment: { enabled: 'findings', required: 'findings' } }
try {
  const r = parse({
    data: fs.readFileSync(file, 'utf8'), importOptions, fieldSettings,
    allowAccept: true, sourceRef: file, scapBenchmarkMap: new Map(),
  })
  console.log(JSON.stringify(r))
} catch (e) {
  console.error(`${file}: ${e.message}`)
  process.exit(1)
}
