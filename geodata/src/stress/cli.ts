import { parseArgs } from "node:util";
import { addStress } from "./stress.ts";

/**
 * Writes the leader map's stress set into a database that holds the demo (a scratch copy: the set is not meant to
 * be removed again). `tsx geodata/src/stress/cli.ts <database-url> [--factor 100] [--seed 1]`
 */
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { factor: { type: "string", default: "100" }, seed: { type: "string", default: "1" } },
});
const url = positionals[0];
if (!url) {
  console.error("usage: tsx geodata/src/stress/cli.ts <database-url> [--factor 100] [--seed 1]");
  process.exit(2);
}
addStress(url, { factor: Number(values.factor), seed: Number(values.seed), log: (m) => console.log(m) }).then(
  (c) => console.log(JSON.stringify(c)),
  (err: Error) => {
    console.error(err.message);
    process.exit(1);
  },
);
