// Compiles AssemblyScript guests in one node process (asc's start-up, mostly loading Binaryen, is paid once):
//   node build.mjs <flags...> -- <source> <output> [<source> <output> ...]
// plugins/build.sh calls it with the project's fixed flags.
import asc from "assemblyscript/asc";

const args = process.argv.slice(2);
const sep = args.indexOf("--");
const flags = args.slice(0, sep);
const pairs = args.slice(sep + 1);
let failed = false;
for (let i = 0; i < pairs.length; i += 2) {
  const { error, stderr } = await asc.main([pairs[i], "-o", pairs[i + 1], ...flags]);
  if (error) {
    console.error(`${pairs[i]}: ${error.message}\n${stderr.toString()}`);
    failed = true;
  }
}
process.exit(failed ? 1 : 0);
