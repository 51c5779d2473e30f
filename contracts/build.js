// Compiles NodeRegistry.sol with the solcjs pinned in package-lock.json and writes
// <out>/NodeRegistry.abi and <out>/NodeRegistry.bin. Run by `go generate ./...`
// (see abi/generate.go); the output is committed and CI fails on any diff.
'use strict';
const fs = require('fs');
const path = require('path');
const solc = require('solc');

const out = process.argv[2] || path.join(__dirname, '..', 'abi');
const name = 'NodeRegistry';
const input = {
  language: 'Solidity',
  sources: { [`${name}.sol`]: { content: fs.readFileSync(path.join(__dirname, `${name}.sol`), 'utf8') } },
  settings: {
    optimizer: { enabled: true, runs: 200 },
    evmVersion: 'cancun',
    outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } },
  },
};
const result = JSON.parse(solc.compile(JSON.stringify(input)));
let failed = false;
for (const e of result.errors || []) {
  process.stderr.write(e.formattedMessage + '\n');
  if (e.severity === 'error') failed = true;
}
if (failed) process.exit(1);
const c = result.contracts[`${name}.sol`][name];
fs.writeFileSync(path.join(out, `${name}.abi`), JSON.stringify(c.abi, null, 1) + '\n');
fs.writeFileSync(path.join(out, `${name}.bin`), c.evm.bytecode.object + '\n');
process.stderr.write(`solc ${solc.version()}: ${name} ${c.evm.bytecode.object.length / 2} bytes\n`);
