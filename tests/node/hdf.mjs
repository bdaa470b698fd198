// Converts a checklist or XCCDF results file to MITRE HDF with @mitre/hdf-converters and prints
// the HDF JSON. Usage: node hdf.mjs ckl|xccdf FILE
// Exit 1 (with the converter's message on stderr) when the converter throws.
import fs from 'fs'
import { createRequire } from 'module'

const require = createRequire(import.meta.url)
const hdf = require('@mitre/hdf-converters')

const [kind, file] = process.argv.slice(2)
const converters = {
  ckl: (text) => new hdf.ChecklistResults(text).toHdf(),
  xccdf: (text) => new hdf.XCCDFResultsMapper(text).toHdf(),
}
const convert = converters[kind]
if (!convert || !file) {
  console.error('usage: node hdf.mjs ckl|xccdf FILE')
  process.exit(2)
}
try {
  const result = await convert(fs.readFileSync(file, 'utf8'))
  console.log(JSON.stringify(result))
} catch (e) {
  console.error(`${file}: ${e.message}`)
  process.exit(1)
}
