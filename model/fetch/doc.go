// Package fetch downloads movie posters listed in Kaggle's MovieGenre.csv
// into the labelled layout of package dataset:
//
//	DIR/images/<imdbId>.jpg   one file per poster that downloaded and decodes
//	DIR/labels.csv            every listed poster present on disk
//	DIR/failures.csv          imdbId,url,reason,detail for the rest
//
// It is the engine of `posterity fetch-posters --csv MovieGenre.csv --out DIR`
// (see Command).
//
// Fetch is resumable: an image is written to a ".part" file and renamed into
// place only once its whole body is read, its length matches any
// Content-Length and its header decodes as JPEG, PNG or GIF, so a poster
// file that exists is complete and a second run skips it without a request.
// Transient failures (5xx, 429, 408, network errors, timeouts) are retried a
// bounded number of times with exponential backoff and jitter, honouring
// Retry-After up to a cap; 404, 403 and other client errors, oversized
// bodies, non-images and redirect loops are not retried. Cancelling the
// context stops the run promptly and leaves no partial files.
//
// Each body is held in memory until it is checked, so memory peaks at about
// Concurrency × MaxBytes (8 × 10 MiB by default; posters are ~30 KB).
package fetch
