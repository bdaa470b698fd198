// Parses PowerShell scripts with the tree-sitter PowerShell grammar and reports every syntax
// error (ERROR or MISSING node) as FILE:LINE:COLUMN. Usage: node ps-syntax.mjs FILE...
// Exit 1 when any file has a syntax error, 2 on bad usage.
import fs from 'fs'
import Parser from 'tree-sitter'
import PowerShell from 'tree-sitter-powershell'

const files = process.argv.slice(2)
if (files.length === 0) {
  console.error('usage: node ps-syntax.mjs FILE...')
  process.exit(2)
}
const parser = new Parser()
parser.setLanguage(PowerShell)
let errors = 0
for (const file of files) {
  const text = fs.readFileSync(file, 'utf8')
  // the default buffer is too small for long scripts: give the whole text at once
  const tree = parser.parse(text, null, { bufferSize: text.length * 2 + 1024 })
  const stack = [tree.rootNode]
  while (stack.length > 0) {
    const node = stack.pop()
    if (node.type === 'ERROR' || node.isMissing) {
      const at = node.startPosition
      const what = node.isMissing ? `missing ${node.type}` : `unexpected '${text.slice(node.startIndex, Math.min(node.endIndex, node.startIndex + 40)).split('\n')[0]}'`
      console.error(`${file}:${at.row + 1}:${at.column + 1}: syntax error: ${what}`)
      errors++
      continue
    }
    if (node.hasError) {
      for (let i = node.childCount - 1; i >= 0; i--) stack.push(node.child(i))
    }
  }
  if (!tree.rootNode.hasError) console.log(`${file}: ok`)
}
process.exit(errors > 0 ? 1 : 0)
