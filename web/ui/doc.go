// Package ui is Posterity's web app: the go-app components of the page, and
// (in server builds only) the app.Handler that serves them as a PWA.
//
// It compiles twice: into app.wasm, the page's program (web/main.go), and
// into the posterity server, which prerenders the page and serves it. Code
// that only the server needs lives in files built with "!wasm" so that
// app.wasm stays small.
//
// # Threads
//
// Go wasm has one thread and no preemption: a long computation on go-app's
// goroutines freezes the page. The page therefore never classifies anything
// itself. It hands each poster (a Blob, never its bytes) to a dedicated Web
// Worker, static/web/worker.js, which runs the engine (classifier.wasm, built
// from ../../wasm) and posts back probabilities and a thumbnail. The page only
// renders.
//
// # Stable hooks
//
// Tests and scripts rely on these, which must only ever be extended:
//
//   - the file input is input[type=file]#posters;
//   - each poster's result is an element with data-testid="result",
//     data-file (the file name) and data-status ("done" or "error"; while
//     the poster waits or is being classified, "queued" or "working");
//   - when done, data-genres lists the predicted genres in descending
//     probability, separated by "|" (the attribute is absent when no genre
//     is above its threshold: go-app does not render empty attributes), and
//     data-probs is a JSON object mapping every genre to its probability.
package ui
