// Posterity's inference worker: a dedicated Web Worker that runs the Go
// engine (classifier.wasm, built from ../wasm) off the page's thread.
//
// Source: wasm/worker.js. "make static" copies it to static/web/worker.js,
// which is what the server and the static site serve; edit this file.
//
// Protocol (postMessage, both ways):
//   page → worker  {type: "init", wasmExec, classifier, kernels, backbone: {url, size}, head: {url, size}, imagenet: {url, size}, decode, explainShift}
//                  {type: "classify", id, file: Blob, imagenet: bool}
//                  {type: "cancel", ids}                       forget posters not yet classified
//   worker → page  {type: "progress", loaded, total, cached}   model bytes, while loading
//                  {type: "ready", info}                       info: the model, a JSON string (wasm/classifier.go)
//                  {type: "fatal", message}                    the model could not be loaded
//                  {type: "result", id, probs, thumb, width, height, decoder, ms, cams, camsMS, imagenet?}
//                  {type: "error", id, message}                this poster only; the others carry on
//                  {type: "imagenet-progress", loaded, total, done?, cached?} while and once the
//                  ImageNet classifier is fetched (cached: it came from this device)
//
// cams is a Float32Array of labels×49: each label's 7×7 Grad-CAM heatmap from
// the same forward pass (zeros for labels that cannot be predicted at the
// page's most generous threshold setting, explainShift; wasm/main.go).
// imagenet, only when the poster was sent with imagenet: true, is the
// backbone's ImageNet top-5 [{index, label, synset, prob}]. When the ImageNet
// classifier could not be loaded, the result has the genres as always and
// imagenetError (why) instead.
//
// The ImageNet classifier (imagenet.pstb, init's imagenet) is not part of
// the start: the worker loads backbone.pstb and head.bin only, and fetches
// the classifier when a poster first asks for the top-5, verifies it
// (posterityAttachImageNet) and keeps it for offline use in Cache Storage
// under its own name, IMAGENET_CACHE (the service worker keeps caches named
// "posterity-…" across app updates, and does not pre-cache this file: that
// would download it on every first visit).
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

// px, the thumbnail's largest side: the page keeps only this copy of each
// poster (a JPEG of a few kB), so two hundred posters stay small.
const THUMB_SIZE = 160;

let limits = null; // {maxBytes, maxPixels}, from the Go side
let decodeMode = "go"; // "browser" forces the browser's decoder (to measure it)
let explainShift = 0; // logit shift of the page's most generous thresholds
let ready = null; // Promise resolved once the model is loaded
let imagenetAsset = null; // {url, size} of imagenet.pstb, from init
let imagenetAttached = false; // the engine has the ImageNet classifier
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
  if (msg.imagenet && msg.imagenet.url) imagenetAsset = msg.imagenet;
  if (msg.decode === "browser") decodeMode = "browser";
  if (typeof msg.explainShift === "number") explainShift = msg.explainShift;
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
    return readBody(resp, progress);
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
      // The genres never wait on the ImageNet classifier's fate: without it
      // the poster is classified all the same and the result says why the
      // top-5 is missing.
      const imagenetError = msg.imagenet === true ? await ensureImageNet() : "";
      const r = await classify(msg.file, { imagenet: msg.imagenet === true && !imagenetError, explainShift });
      if (imagenetError) r.imagenetError = imagenetError;
      self.postMessage({ type: "result", id: msg.id, ...r, ms: performance.now() - t0 });
    } catch (err) {
      self.postMessage({ type: "error", id: msg.id, message: String(err && err.message ? err.message : err) });
    }
  }
  busy = false;
}

// readBody reads a response's body into one Uint8Array, calling
// onChunk(bytes) as each decoded chunk arrives.
async function readBody(resp, onChunk) {
  const chunks = [];
  let size = 0;
  const reader = resp.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
    onChunk(value.byteLength);
  }
  const out = new Uint8Array(size);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.byteLength;
  }
  return out;
}

// readWithProgress reads a response's body, telling the page how far the
// download is ({type: "imagenet-progress", loaded, total}) at most every
// twentieth of the expected size, so the page redraws some twenty times.
function readWithProgress(resp, expected) {
  const total = expected > 0 ? expected : Number(resp.headers.get("Content-Length")) || 0;
  let loaded = 0;
  let told = -1;
  const tell = () => {
    if (told < 0 || loaded - told >= total / 20) {
      self.postMessage({ type: "imagenet-progress", loaded, total });
      told = loaded;
    }
  };
  tell();
  return readBody(resp, (n) => {
    loaded += n;
    tell();
  });
}

// IMAGENET_CACHE is the worker's Cache Storage cache: it holds the one
// imagenet.pstb this app version uses, under its content-addressed URL.
const IMAGENET_CACHE = "posterity-imagenet";

// ensureImageNet makes sure the engine has the ImageNet classifier: from
// this device's cache, else downloaded once (and cached after it verified).
// It returns "" when the classifier is attached, else why not, in words for
// the poster's card; a later request tries again.
async function ensureImageNet() {
  if (imagenetAttached) return "";
  if (!imagenetAsset) return "the page did not say where the ImageNet classifier is";
  const url = imagenetAsset.url;
  let cache = null;
  try {
    cache = self.caches ? await caches.open(IMAGENET_CACHE) : null;
  } catch {
    cache = null; // no Cache Storage here (an opaque origin): download it every session
  }
  let resp = cache ? await cache.match(url) : undefined;
  const fromNetwork = !resp;
  if (!resp) {
    try {
      resp = await fetch(url);
    } catch {
      return "this device is offline or the server cannot be reached, and the ImageNet classifier was never downloaded";
    }
    if (!resp.ok) return `the server answered HTTP ${resp.status} for the ImageNet classifier`;
  }
  let bytes;
  try {
    bytes = fromNetwork ? await readWithProgress(resp, imagenetAsset.size) : new Uint8Array(await resp.arrayBuffer());
  } catch {
    return "the download of the ImageNet classifier was cut off";
  }
  const r = self.posterityAttachImageNet(bytes);
  if (r.error) {
    if (cache && !fromNetwork) await cache.delete(url).catch(() => {});
    return r.error;
  }
  imagenetAttached = true;
  self.postMessage({ type: "imagenet-progress", loaded: bytes.byteLength, total: bytes.byteLength, done: true, cached: !fromNetwork });
  if (cache && fromNetwork) {
    try {
      // Only this version's file: an older one is dropped.
      for (const req of await cache.keys()) {
        if (req.url !== new URL(url, self.location.href).href) await cache.delete(req);
      }
      await cache.put(url, new Response(bytes, { headers: { "Content-Type": "application/octet-stream" } }));
    } catch {
      // Storage full or refused: the classifier works for this session.
    }
  }
  return "";
}

function mpix(w, h) {
  return ((w * h) / 1e6).toFixed(1);
}

// extras are the engine's outputs beside the probabilities.
function extras(r) {
  const out = { cams: r.cams, camsMS: r.camsMS };
  if (r.imagenet) out.imagenet = r.imagenet;
  return out;
}

async function classify(file, options) {
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
    const r = self.posterityClassifyFile(bytes, options);
    if (!r.error) {
      return { probs: r.probs, thumb: await thumbnail(file, r.width, r.height), width: r.width, height: r.height, decoder: "go", ...extras(r) };
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
    const r = self.posterityClassify(w, h, rgba, options);
    if (r.error) {
      throw new Error(r.error);
    }
    return { probs: r.probs, thumb: await thumbnailOf(bitmap), width: w, height: h, decoder: "browser", ...extras(r) };
  } finally {
    bitmap.close();
  }
}

// thumbnail returns a small JPEG of the poster for its card (the page shows
// and keeps this copy, never the full image), or null when the browser
// cannot decode the file. The browser decodes straight to the thumbnail's
// size (resizeWidth/resizeHeight, from the oriented size w×h that Go
// decoded), so no full-size bitmap is held.
async function thumbnail(file, width, height) {
  let bitmap;
  try {
    const [w, h] = thumbSize(width, height);
    bitmap = await createImageBitmap(file, { imageOrientation: "from-image", resizeWidth: w, resizeHeight: h, resizeQuality: "high" });
  } catch {
    return null;
  }
  try {
    return await thumbnailOf(bitmap);
  } finally {
    bitmap.close();
  }
}

// thumbSize fits w×h into THUMB_SIZE×THUMB_SIZE, keeping the aspect ratio.
function thumbSize(w, h) {
  const s = Math.min(1, THUMB_SIZE / Math.max(w, h));
  return [Math.max(1, Math.round(w * s)), Math.max(1, Math.round(h * s))];
}

// thumbnailOf draws a decoded poster small and encodes it as JPEG.
async function thumbnailOf(bitmap) {
  const [tw, th] = thumbSize(bitmap.width, bitmap.height);
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
