// The benchmark's worker for Posterity's engine (bench/doc.go). It loads a
// classifier.wasm exactly as wasm/worker.js does (same wasm_exec.js, same
// forwarding of a wasmkernels build's imports to kernels.wasm) and then times
// calls into the engine, with no queue, no thumbnail and no message in the
// timed region:
//
//   {type: "init", wasmExec, classifier, kernels, backbone, head, stages}
//        → {type: "ready", info, ms}
//   {type: "pixels", w, h, rgba}  → {ms}      posterityClassify: preprocess + backbone + head
//   {type: "file", bytes}         → {ms}      posterityClassifyFile: Go decode + the above
//   {type: "stages", bytes}       → {decode, preprocess, backbone, head}  (a -tags benchstages build)
//   {type: "loop", files, count}  → {ms}      count × posterityClassifyFile, cycling through files
//   {type: "mem"}                 → {wasmBytes}  the Go instance's linear memory
"use strict";

let instance = null;

self.onmessage = async (event) => {
  const m = event.data;
  try {
    self.postMessage(await handle(m));
  } catch (err) {
    self.postMessage({ error: String(err && err.stack ? err.stack : err) });
  }
};

async function bytes(url) {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
  return new Uint8Array(await r.arrayBuffer());
}

async function handle(m) {
  switch (m.type) {
    case "init": {
      const t0 = performance.now();
      importScripts(m.wasmExec);
      const go = new Go();
      let kern = null;
      if (m.kernels) {
        go.importObject.posterity_kernels = new Proxy({}, { get: (_, f) => (...a) => kern.exports[f](...a) });
      }
      const r = await WebAssembly.instantiateStreaming(fetch(m.classifier), go.importObject);
      instance = r.instance;
      if (m.kernels) {
        kern = new WebAssembly.Instance(await WebAssembly.compile(await bytes(m.kernels)), { go: { mem: instance.exports.mem } });
      }
      go.run(instance);
      const [bb, hd] = await Promise.all([bytes(m.backbone), bytes(m.head)]);
      const res = self.posterityLoad(bb, hd);
      if (res.error) throw new Error(res.error);
      if (m.stages) {
        const s = self.posterityBenchLoad(bb, hd);
        if (s.error) throw new Error(s.error);
      }
      return { type: "ready", info: res.info, ms: performance.now() - t0 };
    }
    case "pixels": {
      const t0 = performance.now();
      const r = self.posterityClassify(m.w, m.h, m.rgba);
      const ms = performance.now() - t0;
      if (r.error) throw new Error(r.error);
      return { ms };
    }
    case "file": {
      const t0 = performance.now();
      const r = self.posterityClassifyFile(m.bytes);
      const ms = performance.now() - t0;
      if (r.error) throw new Error(r.error);
      return { ms };
    }
    case "stages": {
      const r = self.posterityBenchStages(m.bytes);
      if (r.error) throw new Error(r.error);
      return { decode: r.decode, preprocess: r.preprocess, backbone: r.backbone, head: r.head, flip: r.flip };
    }
    case "loop": {
      const t0 = performance.now();
      for (let i = 0; i < m.count; i++) {
        const r = self.posterityClassifyFile(m.files[i % m.files.length]);
        if (r.error) throw new Error(r.error);
      }
      return { ms: performance.now() - t0 };
    }
    case "mem":
      return { wasmBytes: instance.exports.mem.buffer.byteLength };
  }
  throw new Error(`unknown message ${m.type}`);
}
