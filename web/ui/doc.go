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
//     probability, separated by "|" (empty when no genre is above its
//     threshold), and
//     data-probs is a JSON object mapping every genre to its probability.
//     data-genres follows the threshold control (below); data-probs never
//     changes once a poster is done.
//
// Issue 7 added:
//
//   - data-testid="heatmap-toggle" with data-genre, one button per
//     predicted genre of a card; when pressed, the card's thumbnail carries
//     data-testid="heatmap" (data-genre, and data-cells: a JSON array of the
//     49 values of the 7×7 Grad-CAM map, row-major, in [0, 1]);
//   - data-testid="threshold-control", the strict ↔ generous
//     input[type=range]: a shift s in logit units from −MaxShift to
//     +MaxShift, each threshold t becoming σ(logit(t) − s) (Shifted);
//   - data-testid="imagenet-toggle", a checkbox: posters added while it is
//     on list the backbone's ImageNet top-5 in data-testid="imagenet" (an
//     ol whose items carry data-synset), or, when its classifier could not
//     be loaded, a data-testid="imagenet-error" paragraph saying so (issue
//     5);
//   - data-testid="filter-genre" and data-testid="sort", the gallery's
//     selects (values: a genre label or the Filter constants; the Sort
//     constants), and data-testid="export-csv" / "export-json", buttons
//     that download every result (ExportCSV, ExportJSON) through a Blob
//     object URL on an anchor with a download attribute;
//   - data-testid="model-link", links to the model page (ModelPath) on
//     every done card and in the footer; the model page has one
//     data-testid="metrics-row" (data-genre) per genre and one
//     data-testid="pr-curve" SVG per stored curve.
//
// # Keeping the page responsive
//
// Issue 4 bounds the page's pauses while a batch is classified (a 10 ms
// timer never held up 100 ms; TestApp asserts it). What keeps it there,
// each measured on the two-core test machine:
//
//   - each card is one raw-HTML string (cardhtml.go) mounted by one
//     innerHTML, not ~60 go-app elements of several wasm→JS calls each, and
//     its buttons are served by one listener on the list (onCardClick);
//   - a card component holds its item by pointer (go-app compares every
//     card's fields at every frame), and cards are content-visibility: auto;
//   - dropped files join the page a few per task, the first alone (drain),
//     and reach the worker after the frame that draws their cards;
//   - the results toolbar exists from the start, hidden while empty.
//
// Longest timer gap during TestApp's batch of 15: 80–205 ms before these,
// 44–98 ms (median 73) after, over 14 runs.
//
// # Heatmaps and the ImageNet top-5
//
// The worker computes, with every poster, the Grad-CAM maps of the genres
// that the most generous threshold setting can predict (explain.All, from
// the same forward pass) and posts them with the probabilities, so a toggle
// costs no computation and no network. The ImageNet top-5 costs the
// backbone's last ops only and is asked for per poster; it also costs a
// download, once: its classifier (imagenet.pstb, 1.29 MB, 1.19 MB gzip) is
// not part of the first visit (issue 5). The worker fetches it when the
// first poster with the switch on arrives, keeps it in Cache Storage
// ("posterity-imagenet"), and when it cannot get it (offline, never
// downloaded) the poster still gets its genres and the card says that the
// ImageNet labels could not be loaded (Item.ImageNetErr,
// data-testid="imagenet-error").
//
// # Memory
//
// The page keeps, per poster, a thumbnail of at most 160 px (a JPEG Blob
// behind an object URL, revoked when the poster is removed or cleared),
// its probabilities and heatmaps (under 4 kB): never the file.
package ui
