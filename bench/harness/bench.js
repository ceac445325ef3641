// The benchmark page's script (bench/doc.go). The Go driver calls, through
// chromedp:
//
//   await bench.setup(cfg)     create and load every worker; returns their info
//   await bench.round(i)       one interleaved round on poster i: every engine once
//   await bench.memoryStart(cfg), then bench.memoryTo(n) for each checkpoint n:
//                              the worker's memory after n classifications
//
// Each timing is taken inside its worker (performance.now around the call),
// so messaging and structured cloning are outside it; for Posterity's own
// worker.js the time is the worker's own "ms" (from taking the poster off its
// queue to posting the result, thumbnail included).
"use strict";

// worker wraps a Worker for one request at a time.
class Channel {
  constructor(url, opts) {
    this.w = new Worker(url, opts);
    this.waiting = null;
    this.w.onmessage = (e) => {
      const m = e.data;
      if (m && m.type === "progress") return;
      const f = this.waiting;
      this.waiting = null;
      if (f) f(m);
    };
    this.w.onerror = (e) => {
      const f = this.waiting;
      this.waiting = null;
      if (f) f({ error: `worker error: ${e.message}` });
    };
  }
  call(msg, transfer) {
    return new Promise((resolve, reject) => {
      this.waiting = (m) => (m && (m.error || m.type === "fatal") ? reject(new Error(m.error || m.message)) : resolve(m));
      this.w.postMessage(msg, transfer || []);
    });
  }
  terminate() {
    this.w.terminate();
  }
}

async function fetchBytes(url) {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
  return new Uint8Array(await r.arrayBuffer());
}

const state = { engines: [], posters: [] };

async function setup(cfg) {
  state.cfg = cfg;
  state.posters = await Promise.all(cfg.posters.map(async (p) => ({
    name: p.name,
    rgba: await fetchBytes(p.rgba),
    f32: new Float32Array((await fetchBytes(p.f32)).buffer),
    jpeg: await fetchBytes(p.jpeg),
  })));
  const info = {};
  // One at a time: loading in parallel would only make each load slower.
  for (const e of cfg.engines) {
    let ch;
    let ready;
    if (e.kind === "ours" || e.kind === "stages") {
      ch = new Channel("/h/ours-worker.js");
      ready = await ch.call({
        type: "init", wasmExec: e.base + "wasm_exec.js", classifier: e.base + "classifier.wasm",
        kernels: e.kernels ? e.base + "kernels.wasm" : "", backbone: e.base + "backbone.pstb",
        head: e.base + "head.bin", stages: e.kind === "stages",
      });
    } else if (e.kind === "real") {
      ch = new Channel(e.base + "worker.js");
      ready = await ch.call({
        type: "init", wasmExec: e.base + "wasm_exec.js", classifier: e.base + "classifier.wasm",
        kernels: e.kernels ? e.base + "kernels.wasm" : "",
        backbone: { url: e.base + "backbone.pstb", size: e.backboneSize },
        head: { url: e.base + "head.bin", size: e.headSize }, decode: e.decode,
      });
    } else if (e.kind === "ort") {
      ch = new Channel("/h/ort-worker.mjs", { type: "module" });
      ready = await ch.call({ type: "init", threads: e.threads, model: e.model });
    } else {
      throw new Error(`unknown engine kind ${e.kind}`);
    }
    state.engines.push({ cfg: e, ch });
    info[e.name] = ready;
  }
  return { info, isolated: self.crossOriginIsolated, userAgent: navigator.userAgent };
}

// run times one classification of poster p by engine e, in ms.
async function run(e, p) {
  switch (e.cfg.kind) {
    case "ours":
      return (await e.ch.call({ type: "pixels", w: 224, h: 224, rgba: p.rgba.slice() })).ms;
    case "stages":
      return await e.ch.call({ type: "stages", bytes: p.jpeg.slice() });
    case "real": {
      const r = await e.ch.call({ type: "classify", id: ++state.id, file: new Blob([p.jpeg], { type: "image/jpeg" }) });
      if (r.type !== "result") throw new Error(`${e.cfg.name}: ${r.type} ${r.message || ""}`);
      return r.ms;
    }
    case "ort": {
      const r = await e.ch.call({ type: "run", input: p.f32.slice() });
      if (p.top1 === undefined) p.top1 = {};
      p.top1[e.cfg.name] = r.top1;
      return r.ms;
    }
  }
}

// round runs every engine once on poster i, starting at a different engine
// each round so that no engine always follows the same one.
async function round(i) {
  const p = state.posters[i % state.posters.length];
  const out = {};
  const n = state.engines.length;
  for (let k = 0; k < n; k++) {
    const e = state.engines[(i + k) % n];
    out[e.cfg.name] = await run(e, p);
  }
  return out;
}

function top1() {
  return state.posters.map((p) => ({ name: p.name, top1: p.top1 || {} }));
}

// workerBytes sums measureUserAgentSpecificMemory's entries attributed to a
// dedicated worker whose script URL contains name.
async function workerBytes(name) {
  if (!performance.measureUserAgentSpecificMemory) return { error: "measureUserAgentSpecificMemory is not available" };
  const m = await performance.measureUserAgentSpecificMemory();
  let bytes = 0;
  for (const b of m.breakdown) {
    if (b.attribution.some((a) => a.scope === "DedicatedWorkerGlobalScope" && String(a.url).includes(name))) bytes += b.bytes;
  }
  return { bytes, total: m.bytes };
}

// memoryStart terminates every other worker and loads a fresh engine worker
// for the memory run; cfg.files are JPEGs, decoded in Go (the app's
// default path).
async function memoryStart(cfg) {
  for (const e of state.engines) e.ch.terminate();
  state.engines = [];
  const files = await Promise.all(cfg.files.map(fetchBytes));
  const e = cfg.engine;
  const ch = new Channel("/h/ours-worker.js?memory");
  await ch.call({
    type: "init", wasmExec: e.base + "wasm_exec.js", classifier: e.base + "classifier.wasm",
    kernels: e.kernels ? e.base + "kernels.wasm" : "", backbone: e.base + "backbone.pstb", head: e.base + "head.bin",
  });
  state.mem = { ch, files, done: 0 };
  return true;
}

// memoryTo classifies until upto classifications are done in all and
// reports the worker's memory then.
async function memoryTo(upto) {
  const m = state.mem;
  const k = m.done % m.files.length;
  const r = await m.ch.call({ type: "loop", files: m.files.slice(k).concat(m.files.slice(0, k)), count: upto - m.done });
  m.done = upto;
  const wasm = await m.ch.call({ type: "mem" });
  return { count: upto, ms: r.ms, wasmBytes: wasm.wasmBytes, ua: await workerBytes("ours-worker.js?memory") };
}

state.id = 0;
window.bench = { setup, round, top1, memoryStart, memoryTo };
document.getElementById("state").textContent = "ready";
