// The benchmark's worker for onnxruntime-web (bench/doc.go): a module worker
// that imports ORT's wasm-only bundle from bench/node_modules and times
// session.run on a float32 [1,3,224,224] input.
//
//   {type: "init", threads, model} → {type: "ready", ms, isolated}
//   {type: "run", input}           → {ms, top1}
import * as ort from "/ort/ort.wasm.min.mjs";

let session = null;

self.onmessage = async (event) => {
  const m = event.data;
  try {
    if (m.type === "init") {
      const t0 = performance.now();
      ort.env.wasm.numThreads = m.threads;
      ort.env.wasm.wasmPaths = "/ort/";
      ort.env.wasm.proxy = false;
      session = await ort.InferenceSession.create(m.model, {
        executionProviders: ["wasm"],
        graphOptimizationLevel: "all",
      });
      self.postMessage({ type: "ready", ms: performance.now() - t0, isolated: self.crossOriginIsolated });
      return;
    }
    if (m.type === "run") {
      const x = new ort.Tensor("float32", m.input, [1, 3, 224, 224]);
      const t0 = performance.now();
      const out = await session.run({ input: x });
      const ms = performance.now() - t0;
      const y = out.output.data;
      let top1 = 0;
      for (let i = 1; i < y.length; i++) if (y[i] > y[top1]) top1 = i;
      self.postMessage({ ms, top1 });
      return;
    }
    throw new Error(`unknown message ${m.type}`);
  } catch (err) {
    self.postMessage({ error: String(err && err.stack ? err.stack : err) });
  }
};
