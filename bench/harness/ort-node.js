// The benchmark's onnxruntime-node runner (bench/doc.go). The Go driver
// starts it as
//
//   node ort-node.js <node_modules> <int8.onnx> <float32.onnx> <input.f32>...
//
// and writes one JSON command per line on stdin; each answer is one JSON
// line on stdout:
//
//   {"cmd":"time","mode":"intra1"|"intra2"|"pair","n":N} → {"ms": wall time for N images}
//       intra1: one session, intraOpNumThreads 1, N runs one after another
//       intra2: one session, intraOpNumThreads 2, N runs one after another
//       pair:   two sessions with 1 thread each, N/2 runs each, concurrently
//   {"cmd":"top1"} → {"int8":[…], "float32":[…]} the top-1 class of every input
//   {"cmd":"versions"} → {"node": …, "ort": …}
"use strict";
const path = require("path");
const fs = require("fs");
const readline = require("readline");

const [modules, int8Path, f32Path, ...inputs] = process.argv.slice(2);
const ort = require(path.join(modules, "onnxruntime-node"));

function tensor(file) {
  const b = fs.readFileSync(file);
  const f = new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
  return new ort.Tensor("float32", f, [1, 3, 224, 224]);
}

function top1(y) {
  let m = 0;
  for (let i = 1; i < y.length; i++) if (y[i] > y[m]) m = i;
  return m;
}

(async () => {
  const xs = inputs.map(tensor);
  const open = (p, threads) => ort.InferenceSession.create(p, {
    executionProviders: ["cpu"], intraOpNumThreads: threads, interOpNumThreads: 1,
    executionMode: "sequential", graphOptimizationLevel: "all",
  });
  const s = { intra1: await open(int8Path, 1), intra2: await open(int8Path, 2), pairB: await open(int8Path, 1) };
  const f32 = await open(f32Path, 1);
  const runMany = async (sess, n, off) => {
    for (let i = 0; i < n; i++) await sess.run({ input: xs[(off + i) % xs.length] });
  };
  let off = 0;
  const rl = readline.createInterface({ input: process.stdin });
  for await (const line of rl) {
    const c = JSON.parse(line);
    let out;
    if (c.cmd === "time") {
      const t0 = performance.now();
      if (c.mode === "pair") {
        await Promise.all([runMany(s.intra1, c.n >> 1, off), runMany(s.pairB, c.n - (c.n >> 1), off + 1)]);
      } else {
        await runMany(s[c.mode], c.n, off);
      }
      out = { ms: performance.now() - t0 };
      off += c.n;
    } else if (c.cmd === "top1") {
      out = { int8: [], float32: [] };
      for (const x of xs) {
        out.int8.push(top1((await s.intra1.run({ input: x })).output.data));
        out.float32.push(top1((await f32.run({ input: x })).output.data));
      }
    } else if (c.cmd === "versions") {
      const pkg = JSON.parse(fs.readFileSync(path.join(modules, "onnxruntime-node", "package.json")));
      out = { node: process.version, ort: pkg.version };
    } else {
      out = { error: `unknown command ${c.cmd}` };
    }
    process.stdout.write(JSON.stringify(out) + "\n");
  }
})().catch((err) => {
  process.stdout.write(JSON.stringify({ error: String(err && err.stack ? err.stack : err) }) + "\n");
  process.exit(1);
});
