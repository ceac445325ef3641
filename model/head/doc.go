// Package head is the trainable part of the Posterity poster classifier: a
// two-layer perceptron on top of the frozen MobileNetV2 feature, its
// inference, and its weight file.
//
// Dimension letters, used in every shape comment of this package:
//
//	D = In      feature length (1280, the pooled MobileNetV2 1.0 224 output)
//	H = Hidden  hidden units (1024 by default)
//	N = Out     labels (genres)
//
// The network is
//
//	z1 = W1·x + b1      W1 is H×D row-major, b1 has H elements
//	a1 = max(z1, 0)     ReLU
//	z2 = W2·a1 + b2     W2 is N×H row-major, b2 has N elements (the logits)
//	p  = σ(z2)          element-wise sigmoid in MultiLabel mode, or
//	p  = softmax(z2)    in MultiClass mode.
//
// In MultiLabel mode label j is predicted when p[j] >= Thresholds[j]; in
// MultiClass mode the prediction is the argmax and the thresholds are unused.
//
// The package is stdlib-only and builds for GOOS=js GOARCH=wasm, where it runs
// in the browser worker. A *Head is safe for concurrent use by readers
// (Logits, Probs, ScoreGradient) as long as nobody writes its fields; each
// caller brings its own dst and scratch buffers.
//
// # File format
//
// A head is stored as one little-endian file (static/head.bin):
//
//	offset  size  field
//	0       8     magic "PSTYHEAD"
//	8       4     format version (uint32: 1, or 2 for int4-group weights)
//	12      8     total file length in bytes, trailer included (uint64)
//	20      4     metadata length M (uint32)
//	24      M     metadata, JSON: sizes, weight encoding, mode, labels,
//	              thresholds, metrics, per-label metrics, PR curves, backbone
//	              SHA-256, preprocessing policy, creation time, notes
//	24+M    ...   tensors W1, b1, W2, b2, in that order
//	end-32  32    SHA-256 of every byte before it
//
// Biases are always float32. A weight matrix is either float32 (rows×cols
// values) or, with the "int8-row" encoding, rows float32 scales followed by
// rows×cols int8 values: symmetric per-output-row quantisation, w ≈ q·scale
// with scale = max|row|/127 and q in [-127, 127].
//
// The "int4-group" encoding (version 2; metadata "group": G, 128 for make
// train) stores W1 as rows×⌈cols/G⌉ float32 scales, one per group of G
// consecutive inputs of a row (row-major), followed by each row's codes in
// ⌈cols/2⌉ bytes: column c in byte c/2, the low nibble for even c, a 4-bit
// two's-complement q in [-7, 7] with w ≈ q·scale, scale = max|group|/7 (an
// odd row ends with a zero nibble). W2 is then int8-row. Marshal writes
// version 1 whenever the encoding allows it.
//
// Quantised weights are dequantised to float32 when the file is parsed.
//
// The framing (magic, version, length, trailing SHA-256) is frozen: every
// future version keeps it, so a reader can always verify the checksum before
// interpreting the version. Parse checks, in order: magic, length (a short
// file is reported as truncated), checksum, version, then metadata and sizes.
// It never panics on hostile input: every length is bounds-checked and sizes
// are capped (see MaxFileSize). All format errors are *FormatError values that
// match one of ErrNotHead, ErrTruncated, ErrChecksum, ErrVersion or
// ErrCorrupt with errors.Is, and end with a hint on how to rebuild the file.
package head
