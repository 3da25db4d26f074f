// Times the kernels of bench/src/work.rs as WebAssembly in Node's V8 (the engine workerd
// embeds). The module is instantiated bare: its wasm-bindgen imports are stubs that throw,
// and the kernels never reach them.
//
//   node bench/wasm-probe/run.mjs PROBE.wasm INPUT.json > TIMES.json
//
// INPUT: {"page", "key", "sealed", "user", "chunk", "chunk_now", "runs",
//         "iterations": {"page", "open", "chunk"}}
// TIMES: {"page": [ms per iteration, one per run], "open": [...], "chunk": [...]}

import { readFileSync } from "node:fs";

const [wasmPath, inputPath] = process.argv.slice(2);
const input = JSON.parse(readFileSync(inputPath, "utf8"));
const stub = new Proxy(
  {},
  {
    get: (_, module) =>
      new Proxy(
        {},
        {
          get: (_, name) => () => {
            throw new Error(`the probe called its import ${String(module)}.${String(name)}`);
          },
        },
      ),
  },
);
const { instance } = await WebAssembly.instantiate(readFileSync(wasmPath), stub);
const probe = instance.exports;
const encoder = new TextEncoder();
function put(text) {
  const bytes = encoder.encode(text);
  const at = probe.probe_alloc(bytes.length) >>> 0;
  new Uint8Array(probe.memory.buffer, at, bytes.length).set(bytes);
  return [at, bytes.length];
}

const page = put(input.page);
const key = put(input.key);
const sealed = put(input.sealed);
const user = put(input.user);
const chunk = put(input.chunk);
const kernels = {
  page: (n) => probe.probe_page(page[0], page[1], n),
  open: (n) => probe.probe_open(key[0], key[1], sealed[0], sealed[1], user[0], user[1], n),
  chunk: (n) => probe.probe_chunk(chunk[0], chunk[1], BigInt(input.chunk_now), n),
};

const times = {};
for (const [name, run] of Object.entries(kernels)) {
  const iterations = input.iterations[name];
  if (run(iterations) === 0) throw new Error(`the ${name} kernel did no work`);
  times[name] = [];
  for (let i = 0; i < input.runs; i++) {
    const started = performance.now();
    run(iterations);
    times[name].push((performance.now() - started) / iterations);
  }
}
process.stdout.write(JSON.stringify(times));
