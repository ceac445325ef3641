// Posterity's inference worker: a dedicated Web Worker that runs the Go
// engine (classifier.wasm, built from ../wasm) off the page's thread.
//
// Source: wasm/worker.js. "make static" copies it to static/web/worker.js,
// which is what the server and the static site serve; edit this file.
//
// Protocol (postMessage, both ways):
//   page → worker  {type: "init", wasmExec, classifier, kernels, backbone: {url, size}, head: {url, size}, decode}
//                  {type: "classify", id, file: Blob}
//                  {type: "cancel", ids}                       forget posters not yet classified
//   worker → page  {type: "progress", loaded, total, cached}   model bytes, while loading
//                  {type: "ready", info}                       info: the model, a JSON string (wasm/classifier.go)
//                  {type: "fatal", message}                    the model could not be loaded
//                  {type: "result", id, probs, thumb, width, height, decoder, ms}
//                  {type: "error", id, message}                this poster only; the others carry on
//
// Posters are handled one at a time, in the order they arrive: a batch of
// hundreds holds one decoded image at a time. No poster byte leaves the
// worker except the thumbnail Blob posted back to the page.
//
// Decoding: a JPEG, PNG, GIF or WebP is decoded by Go (imageprep.Decode, the
// CLI's and training's decoder), so the page's probabilities equal the CLI's.
// Other formats the browser can read (AVIF, BMP, HEIF in Safari…) are decoded
// by the browser: createImageBitmap without color conversion or
// premultiplication, EXIF orientation applied, then OffscreenCanvas →
// getImageData → Go. With {decode: "browser"} (the page's ?decode=browser)
// every file takes that path, which the parity test uses to measure it.
"use strict";

const THUMB_WIDTH = 240; // px, the thumbnail's width (2× the card's CSS width)

let limits = null; // {maxBytes, maxPixels}, from the Go side
let decodeMode = "go"; // "browser" forces the browser's decoder (to measure it)
let ready = null; // Promise resolved once the model is loaded
const queue = [];
let busy = false;

self.onmessage = (event) => {
  const msg = event.data;
  switch (msg && msg.type) {
    case "init":
      ready = init(msg).catch((err) => {
        self.postMessage({ type: "fatal", message: String(err && err.message ? err.message : err) });
        throw err;
      });
      break;
    case "classify":
      queue.push(msg);
      pump();
      break;
    case "cancel": {
      const drop = new Set(msg.ids);
      for (let i = queue.length - 1; i >= 0; i--) {
        if (drop.has(queue[i].id)) queue.splice(i, 1);
      }
      break;
    }
  }
};

async function init(msg) {
  importScripts(msg.wasmExec);
  if (msg.decode === "browser") decodeMode = "browser";
  const total = msg.backbone.size + msg.head.size;
  let loaded = 0;
  let cached = true;
  const progress = (n) => {
    loaded += n;
    self.postMessage({ type: "progress", loaded, total, cached });
  };
  const fetchBytes = async (asset) => {
    // A response from the service worker's cache costs no download; say so.
    if (!(self.caches && (await caches.match(asset.url)))) {
      cached = false;
    }
    const resp = await fetch(asset.url);
    if (!resp.ok) {
      throw new Error(`${asset.url}: HTTP ${resp.status}`);
    }
    // Count decoded bytes: with Content-Encoding the header's length is the
    // compressed size, so the page is told the files' real sizes instead.
    const chunks = [];
    let size = 0;
    const reader = resp.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
      progress(value.byteLength);
    }
    const out = new Uint8Array(size);
    let off = 0;
    for (const c of chunks) {
      out.set(c, off);
      off += c.byteLength;
    }
    return out;
  };
  const go = new Go();
  // A classifier.wasm built with the wasmkernels tag imports its GEMM and
  // depthwise kernels from kernels.wasm (model/kernels/wasmkern), which
  // works on the Go instance's memory: forward the imports to it.
  let kern = null;
  let kernelsModule = null;
  if (msg.kernels) {
    go.importObject.posterity_kernels = new Proxy({}, { get: (_, f) => (...a) => kern.exports[f](...a) });
    kernelsModule = fetch(msg.kernels).then((r) => {
      if (!r.ok) throw new Error(`${msg.kernels}: HTTP ${r.status}`);
      return r.arrayBuffer();
    }).then((b) => WebAssembly.compile(b));
  }
  const wasmPromise = instantiate(msg.classifier, go.importObject);
  const [backbone, head] = await Promise.all([fetchBytes(msg.backbone), fetchBytes(msg.head)]);
  const { instance } = await wasmPromise;
  if (kernelsModule) {
    kern = new WebAssembly.Instance(await kernelsModule, { go: { mem: instance.exports.mem } });
  }
  go.run(instance); // registers the posterity functions, then blocks in select{}
  const r = self.posterityLoad(backbone, head);
  if (r.error) {
    throw new Error(r.error);
  }
  limits = JSON.parse(r.info).limits;
  self.postMessage({ type: "ready", info: r.info });
}

async function instantiate(url, imports) {
  try {
    return await WebAssembly.instantiateStreaming(fetch(url), imports);
  } catch (err) {
    // A static host without the application/wasm type: compile from bytes.
    const resp = await fetch(url);
    if (!resp.ok) {
      throw new Error(`${url}: HTTP ${resp.status}`);
    }
    return await WebAssembly.instantiate(await resp.arrayBuffer(), imports);
  }
}

async function pump() {
  if (busy) return;
  busy = true;
  try {
    await ready;
  } catch {
    // The model failed to load: every poster gets that error.
  }
  while (queue.length > 0) {
    const msg = queue.shift();
    const t0 = performance.now();
    try {
      const r = await classify(msg.file);
      self.postMessage({ type: "result", id: msg.id, ...r, ms: performance.now() - t0 });
    } catch (err) {
      self.postMessage({ type: "error", id: msg.id, message: String(err && err.message ? err.message : err) });
    }
  }
  busy = false;
}

function mpix(w, h) {
  return ((w * h) / 1e6).toFixed(1);
}

async function classify(file) {
  if (!limits) {
    throw new Error("the model is not loaded");
  }
  if (file.size === 0) {
    throw new Error("the file is empty");
  }
  if (file.size > limits.maxBytes) {
    throw new Error(`the file is ${(file.size / 1048576).toFixed(1)} MiB, more than the ${limits.maxBytes / 1048576} MiB limit`);
  }
  // First choice: decode in Go, with the CLI's and training's decoder, so
  // that the page's probabilities equal the CLI's (a browser's JPEG decoder
  // differs by a few levels, and the int8 backbone amplifies that).
  let goError = "";
  if (decodeMode !== "browser") {
    const bytes = new Uint8Array(await file.arrayBuffer());
    const r = self.posterityClassifyFile(bytes);
    if (!r.error) {
      return { probs: r.probs, thumb: await thumbnail(file), width: r.width, height: r.height, decoder: "go" };
    }
    if (!r.unsupported) {
      throw new Error(r.error);
    }
    goError = r.error; // a format Go lacks (AVIF, BMP, HEIF…): the browser may know it
  }
  let bitmap;
  try {
    // The decoded pixels must be the file's own values: no color management,
    // no premultiplication; EXIF orientation applied, as Go's decoder does.
    bitmap = await createImageBitmap(file, {
      colorSpaceConversion: "none",
      premultiplyAlpha: "none",
      imageOrientation: "from-image",
    });
  } catch (err) {
    throw new Error(goError ? `${goError}, and the browser could not decode it either` :
      "this file could not be read as an image (not an image, an unsupported format, or corrupt)");
  }
  try {
    const w = bitmap.width;
    const h = bitmap.height;
    if (w * h > limits.maxPixels) {
      throw new Error(`the image is ${w}×${h} (${mpix(w, h)} Mpixel), more than the ${limits.maxPixels / 1e6} Mpixel limit`);
    }
    const canvas = new OffscreenCanvas(w, h);
    const ctx = canvas.getContext("2d", { willReadFrequently: true });
    ctx.drawImage(bitmap, 0, 0);
    const rgba = ctx.getImageData(0, 0, w, h).data;
    const r = self.posterityClassify(w, h, rgba);
    if (r.error) {
      throw new Error(r.error);
    }
    return { probs: r.probs, thumb: await thumbnailOf(bitmap), width: w, height: h, decoder: "browser" };
  } finally {
    bitmap.close();
  }
}

// thumbnail returns a small JPEG of the poster for its card (the page shows
// this copy, never the full image), or null when the browser cannot decode
// the file.
async function thumbnail(file) {
  let bitmap;
  try {
    bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
  } catch {
    return null;
  }
  try {
    return await thumbnailOf(bitmap);
  } finally {
    bitmap.close();
  }
}

// thumbnailOf draws a decoded poster small and encodes it as JPEG.
async function thumbnailOf(bitmap) {
  const tw = Math.min(THUMB_WIDTH, bitmap.width);
  const th = Math.max(1, Math.round((bitmap.height * tw) / bitmap.width));
  try {
    const canvas = new OffscreenCanvas(tw, th);
    const ctx = canvas.getContext("2d");
    ctx.imageSmoothingQuality = "high";
    ctx.drawImage(bitmap, 0, 0, tw, th);
    return await canvas.convertToBlob({ type: "image/jpeg", quality: 0.85 });
  } catch {
    return null; // no thumbnail is no reason to lose the result
  }
}
