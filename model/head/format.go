package head

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"

	"posterity/internal/atomicfile"
)

// FormatVersion is the newest version of the file format, the one needed
// for the int4-group encoding. Marshal writes the oldest version that can
// hold the chosen encoding (1 for float32 and int8-row, so older builds
// keep reading those files); Parse accepts versions 1 to FormatVersion.
const FormatVersion = 2

// DefaultInt4Group is the group size make train uses for int4-group
// storage: 128 inputs per scale (measured: see README "Head storage").
const DefaultInt4Group = 128

// Limits that Parse enforces before allocating anything, so that a hostile
// file cannot make it allocate more than a few times MaxFileSize.
const (
	MaxFileSize = 256 << 20 // bytes
	MaxMetaSize = 16 << 20  // bytes of JSON metadata
	MaxDim      = 1 << 16   // largest In, Hidden or Out
	MaxParams   = 1 << 26   // largest In·Hidden + Hidden·Out
)

const (
	magic       = "PSTYHEAD"
	headerSize  = 8 + 4 + 8 + 4 // magic, version, total length, metadata length
	trailerSize = sha256.Size

	encFloat32   = "float32"
	encInt8Row   = "int8-row"
	encInt4Group = "int4-group" // version 2: W1 int4 per group of inputs, W2 int8-row
)

// minVersion is the oldest file version that can hold an encoding.
func minVersion(enc string) uint32 {
	if enc == encInt4Group {
		return 2
	}
	return 1
}

// rebuildHint ends every format error.
const rebuildHint = `(run "make train" to rebuild it)`

// Sentinel errors matched by errors.Is on a *FormatError.
var (
	ErrNotHead   = errors.New("not a posterity head file (bad magic)")
	ErrTruncated = errors.New("file is truncated")
	ErrChecksum  = errors.New("checksum mismatch")
	ErrVersion   = errors.New("unsupported format version")
	ErrCorrupt   = errors.New("inconsistent contents")
)

// FormatError describes a head file that cannot be used.
type FormatError struct {
	Path   string // file name, when known
	Kind   error  // one of ErrNotHead, ErrTruncated, ErrChecksum, ErrVersion, ErrCorrupt
	Detail string
}

// Error returns "head: [path: ]kind: detail" followed by the rebuild hint.
func (e *FormatError) Error() string {
	s := "head: "
	if e.Path != "" {
		s += e.Path + ": "
	}
	s += e.Kind.Error()
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	return s + " " + rebuildHint
}

// Unwrap returns the sentinel error Kind.
func (e *FormatError) Unwrap() error { return e.Kind }

func formatErr(kind error, format string, args ...any) error {
	return &FormatError{Kind: kind, Detail: fmt.Sprintf(format, args...)}
}

// SaveOptions controls how Save encodes the weights.
type SaveOptions struct {
	// Quantize8 stores W1 and W2 as int8 with one float32 scale per output
	// row (about 4× smaller); biases stay float32.
	Quantize8 bool
	// Int4Group, when positive, stores W1 as signed 4-bit codes with one
	// float32 scale per group of Int4Group consecutive inputs of a row, and
	// W2 as int8 per output row whatever Quantize8 says (about 8× smaller
	// than float32; a format version 2 file). make train uses
	// DefaultInt4Group.
	Int4Group int
}

// String names the storage: "float32", "int8 per output row" or
// "int4 per 128-input group (W1), int8 per output row (W2)".
func (o SaveOptions) String() string {
	switch {
	case o.Int4Group > 0:
		return fmt.Sprintf("int4 per %d-input group (W1), int8 per output row (W2)", o.Int4Group)
	case o.Quantize8:
		return "int8 per output row"
	}
	return "float32"
}

func (o SaveOptions) encoding() string {
	switch {
	case o.Int4Group > 0:
		return encInt4Group
	case o.Quantize8:
		return encInt8Row
	}
	return encFloat32
}

// metadata is the JSON block of the file.
type metadata struct {
	In                int                `json:"in"`
	Hidden            int                `json:"hidden"`
	Out               int                `json:"out"`
	Weights           string             `json:"weights"`         // encFloat32, encInt8Row or encInt4Group
	Group             int                `json:"group,omitempty"` // encInt4Group: inputs per W1 scale
	Mode              Mode               `json:"mode"`
	Labels            []string           `json:"labels"`
	Thresholds        []float32          `json:"thresholds"`
	Metrics           map[string]float64 `json:"metrics,omitempty"`
	PerLabel          []LabelMetrics     `json:"per_label,omitempty"`
	Curves            []Curve            `json:"curves,omitempty"`
	BackboneSHA256    string             `json:"backbone_sha256,omitempty"`
	Preprocess        string             `json:"preprocess,omitempty"`
	PreprocessVersion int                `json:"preprocess_version,omitempty"`
	Created           string             `json:"created,omitempty"`
	Notes             string             `json:"notes,omitempty"`
}

// Marshal returns the file encoding of h. It fails if h does not Validate or
// its metrics are not representable in JSON (NaN or ±Inf).
func (h *Head) Marshal(opt SaveOptions) ([]byte, error) {
	if err := h.Validate(); err != nil {
		return nil, fmt.Errorf("head: marshal: %w", err)
	}
	md := metadata{
		In: h.In, Hidden: h.Hidden, Out: h.Out, Weights: encFloat32, Mode: h.Mode,
		Labels: h.Labels, Thresholds: h.Thresholds, Metrics: h.Metrics,
		PerLabel: h.PerLabel, Curves: h.Curves, BackboneSHA256: h.BackboneSHA256,
		Preprocess: h.Preprocess, PreprocessVersion: h.PreprocessVersion,
		Created: h.Created, Notes: h.Notes,
	}
	md.Weights = opt.encoding()
	if md.Weights == encInt4Group {
		if opt.Int4Group > MaxDim {
			return nil, fmt.Errorf("head: marshal: int4 group %d exceeds %d", opt.Int4Group, MaxDim)
		}
		md.Group = opt.Int4Group
	}
	meta, err := json.Marshal(md)
	if err != nil {
		return nil, fmt.Errorf("head: marshal metadata: %w", err)
	}
	if len(meta) > MaxMetaSize {
		return nil, fmt.Errorf("head: metadata is %d bytes, limit %d (too many curve points?)", len(meta), MaxMetaSize)
	}
	size := headerSize + len(meta) + tensorBytes(md.Weights, md.Group, h.In, h.Hidden, h.Out) + trailerSize
	b := make([]byte, 0, size)
	b = append(b, magic...)
	b = binary.LittleEndian.AppendUint32(b, minVersion(md.Weights))
	b = binary.LittleEndian.AppendUint64(b, uint64(size))
	b = binary.LittleEndian.AppendUint32(b, uint32(len(meta)))
	b = append(b, meta...)
	if md.Weights == encInt4Group {
		b = appendInt4Groups(b, h.W1, h.Hidden, h.In, md.Group)
	} else {
		b = appendMatrix(b, h.W1, h.Hidden, h.In, md.Weights == encInt8Row)
	}
	b = appendFloats(b, h.B1)
	b = appendMatrix(b, h.W2, h.Out, h.Hidden, md.Weights != encFloat32)
	b = appendFloats(b, h.B2)
	sum := sha256.Sum256(b)
	b = append(b, sum[:]...)
	if len(b) != size {
		panic(fmt.Sprintf("head: encoded %d bytes, computed %d", len(b), size))
	}
	return b, nil
}

// Save writes the file encoding of h to w.
func (h *Head) Save(w io.Writer, opt SaveOptions) error {
	b, err := h.Marshal(opt)
	if err != nil {
		return err
	}
	if _, err := w.Write(b); err != nil {
		return fmt.Errorf("head: save: %w", err)
	}
	return nil
}

// WriteFile writes h to path atomically: it writes a temporary file in the
// same directory, syncs and closes it, renames it over path and syncs the
// directory, so a crash leaves either the old file or the new one.
func (h *Head) WriteFile(path string, opt SaveOptions) error {
	b, err := h.Marshal(opt)
	if err != nil {
		return err
	}
	if err := atomicfile.Write(path, b); err != nil {
		return fmt.Errorf("head: %w", err)
	}
	return nil
}

// ReadFile reads and parses the head file at path.
func ReadFile(path string) (*Head, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("head: %w %s", err, rebuildHint)
	}
	defer f.Close()
	h, err := Load(f)
	if fe, ok := err.(*FormatError); ok {
		fe.Path = path
	} else if err != nil {
		err = fmt.Errorf("head: read %s: %w", path, err)
	}
	return h, err
}

// Load reads a whole head file from r (at most MaxFileSize bytes) and parses
// it.
func Load(r io.Reader) (*Head, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("head: load: %w", err)
	}
	if len(b) > MaxFileSize {
		return nil, formatErr(ErrCorrupt, "file exceeds %d bytes", MaxFileSize)
	}
	return Parse(b)
}

// Parse decodes a head file held in memory. b is not retained.
func Parse(b []byte) (*Head, error) {
	if len(b) < len(magic) {
		if bytes.HasPrefix([]byte(magic), b) {
			return nil, formatErr(ErrTruncated, "%d bytes", len(b))
		}
		return nil, formatErr(ErrNotHead, "%d bytes", len(b))
	}
	if string(b[:len(magic)]) != magic {
		return nil, formatErr(ErrNotHead, "starts with %q, want %q", b[:len(magic)], magic)
	}
	if len(b) < headerSize+trailerSize {
		return nil, formatErr(ErrTruncated, "%d bytes, shorter than an empty head", len(b))
	}
	total := binary.LittleEndian.Uint64(b[12:])
	body := b[:len(b)-trailerSize]
	if sum := sha256.Sum256(body); !bytes.Equal(sum[:], b[len(body):]) {
		if total > uint64(len(b)) {
			return nil, formatErr(ErrTruncated, "%d bytes, header says %d", len(b), total)
		}
		return nil, formatErr(ErrChecksum, "SHA-256 %x, stored %x: the file is corrupt", sum[:6], b[len(body):len(body)+6])
	}
	if total != uint64(len(b)) {
		return nil, formatErr(ErrCorrupt, "%d bytes, header says %d", len(b), total)
	}
	v := binary.LittleEndian.Uint32(b[8:])
	if v < 1 || v > FormatVersion {
		which := "newer"
		if v < 1 {
			which = "older"
		}
		return nil, formatErr(ErrVersion, "version %d is %s than this build's 1 to %d", v, which, FormatVersion)
	}
	metaLen := uint64(binary.LittleEndian.Uint32(b[20:]))
	if metaLen > MaxMetaSize || metaLen > uint64(len(body)-headerSize) {
		return nil, formatErr(ErrCorrupt, "metadata length %d does not fit in %d bytes", metaLen, len(body)-headerSize)
	}
	var md metadata
	// Unknown metadata fields are ignored, so optional fields can be added
	// without a version change.
	if err := json.Unmarshal(b[headerSize:headerSize+metaLen], &md); err != nil {
		return nil, formatErr(ErrCorrupt, "metadata: %v", err)
	}
	if md.In <= 0 || md.Hidden <= 0 || md.Out <= 0 || md.In > MaxDim || md.Hidden > MaxDim || md.Out > MaxDim ||
		md.In*md.Hidden+md.Hidden*md.Out > MaxParams {
		return nil, formatErr(ErrCorrupt, "sizes in=%d hidden=%d out=%d out of range", md.In, md.Hidden, md.Out)
	}
	if md.Weights != encFloat32 && md.Weights != encInt8Row && md.Weights != encInt4Group {
		return nil, formatErr(ErrCorrupt, "unknown weight encoding %q", md.Weights)
	}
	if minVersion(md.Weights) > v {
		return nil, formatErr(ErrCorrupt, "weight encoding %q in a version %d file (needs %d)", md.Weights, v, minVersion(md.Weights))
	}
	if md.Weights == encInt4Group && (md.Group <= 0 || md.Group > MaxDim) {
		return nil, formatErr(ErrCorrupt, "int4 group size %d out of range", md.Group)
	}
	tensors := body[headerSize+metaLen:]
	if want := tensorBytes(md.Weights, md.Group, md.In, md.Hidden, md.Out); len(tensors) != want {
		return nil, formatErr(ErrCorrupt, "%d tensor bytes, sizes in=%d hidden=%d out=%d (%s) need %d",
			len(tensors), md.In, md.Hidden, md.Out, md.Weights, want)
	}
	h := &Head{
		In: md.In, Hidden: md.Hidden, Out: md.Out, Mode: md.Mode,
		Labels: md.Labels, Thresholds: md.Thresholds, Metrics: md.Metrics,
		PerLabel: md.PerLabel, Curves: md.Curves, BackboneSHA256: md.BackboneSHA256,
		Preprocess: md.Preprocess, PreprocessVersion: md.PreprocessVersion,
		Created: md.Created, Notes: md.Notes, Quantized: md.Weights != encFloat32,
		Int4Group: md.Group,
	}
	if h.Metrics == nil {
		h.Metrics = map[string]float64{}
	}
	q := h.Quantized
	if md.Weights == encInt4Group {
		h.W1, tensors = readInt4Groups(tensors, h.Hidden, h.In, md.Group)
	} else {
		h.W1, tensors = readMatrix(tensors, h.Hidden, h.In, q)
	}
	h.B1, tensors = readFloats(tensors, h.Hidden)
	h.W2, tensors = readMatrix(tensors, h.Out, h.Hidden, q)
	h.B2, _ = readFloats(tensors, h.Out)
	if err := h.Validate(); err != nil {
		return nil, formatErr(ErrCorrupt, "%v", err)
	}
	return h, nil
}

// tensorBytes is the encoded size of W1, b1, W2, b2. Sizes and the group
// must already be within MaxDim and MaxParams, so nothing overflows.
func tensorBytes(enc string, group, in, hidden, out int) int {
	n := 4 * (hidden + out) // biases
	switch enc {
	case encInt8Row:
		return n + 4*(hidden+out) + hidden*in + out*hidden
	case encInt4Group:
		return n + int4Bytes(hidden, in, group) + 4*out + out*hidden
	}
	return n + 4*(hidden*in+out*hidden)
}

// int4Bytes is the size of an int4-group matrix: the scales, then each row's
// codes in (cols+1)/2 bytes.
func int4Bytes(rows, cols, group int) int {
	return 4*rows*int4Groups(cols, group) + rows*((cols+1)/2)
}

func int4Groups(cols, group int) int { return (cols + group - 1) / group }

func appendFloats(b []byte, v []float32) []byte {
	for _, x := range v {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(x))
	}
	return b
}

// appendMatrix encodes a rows×cols matrix, as float32 or with int8-row
// quantisation: all row scales first, then all int8 values.
func appendMatrix(b []byte, w []float32, rows, cols int, q8 bool) []byte {
	if !q8 {
		return appendFloats(b, w)
	}
	scales := make([]float32, rows)
	for r := range rows {
		var m float32
		for _, x := range w[r*cols : (r+1)*cols] {
			m = max(m, float32(math.Abs(float64(x))))
		}
		scales[r] = m / 127
	}
	b = appendFloats(b, scales)
	for r := range rows {
		s := scales[r]
		for _, x := range w[r*cols : (r+1)*cols] {
			var v float64
			if s > 0 {
				v = math.Round(float64(x / s))
			}
			b = append(b, byte(int8(max(-127, min(127, v)))))
		}
	}
	return b
}

// readFloats decodes n float32 values; the caller guarantees len(b) >= 4n.
func readFloats(b []byte, n int) ([]float32, []byte) {
	v := make([]float32, n)
	for i := range v {
		v[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return v, b[4*n:]
}

// readMatrix decodes a rows×cols matrix written by appendMatrix; the caller
// has checked the total length.
func readMatrix(b []byte, rows, cols int, q8 bool) ([]float32, []byte) {
	if !q8 {
		return readFloats(b, rows*cols)
	}
	scales, b := readFloats(b, rows)
	w := make([]float32, rows*cols)
	for r, s := range scales {
		row := b[r*cols : (r+1)*cols]
		for c, q := range row {
			w[r*cols+c] = float32(int8(q)) * s
		}
	}
	return w, b[rows*cols:]
}

// appendInt4Groups encodes a rows×cols matrix with int4-group quantisation:
// every row is cut into groups of group consecutive columns (the last one
// may be shorter), each with a symmetric scale = max|group|/7, w ≈ q·scale
// with q in [-7, 7]. All rows×groups float32 scales come first (row-major),
// then each row's codes, two per byte: column c in byte c/2, the low nibble
// for even c, as 4-bit two's complement; an odd row ends with a zero nibble.
func appendInt4Groups(b []byte, w []float32, rows, cols, group int) []byte {
	ng := int4Groups(cols, group)
	scales := make([]float32, rows*ng)
	for r := range rows {
		for g := range ng {
			var m float32
			for _, x := range w[r*cols+g*group : r*cols+min((g+1)*group, cols)] {
				m = max(m, float32(math.Abs(float64(x))))
			}
			scales[r*ng+g] = m / 7
		}
	}
	b = appendFloats(b, scales)
	for r := range rows {
		row := w[r*cols : (r+1)*cols]
		for c := 0; c < cols; c += 2 {
			lo := int4Code(row[c], scales[r*ng+c/group])
			var hi byte
			if c+1 < cols {
				hi = int4Code(row[c+1], scales[r*ng+(c+1)/group])
			}
			b = append(b, lo|hi<<4)
		}
	}
	return b
}

// int4Code is round(x/s) clamped to [-7, 7] as a 4-bit two's-complement
// nibble (0 when s is 0).
func int4Code(x, s float32) byte {
	var v float64
	if s > 0 {
		v = math.Round(float64(x / s))
	}
	return byte(int8(max(-7, min(7, v)))) & 0x0f
}

// readInt4Groups decodes a matrix written by appendInt4Groups; the caller
// has checked the total length. Each group's 16 possible values are
// tabulated once, so decoding is one table look-up per weight. A code of
// -8, which the writer never produces, decodes as -8·scale.
func readInt4Groups(b []byte, rows, cols, group int) ([]float32, []byte) {
	ng := int4Groups(cols, group)
	scales, b := readFloats(b, rows*ng)
	rowBytes := (cols + 1) / 2
	w := make([]float32, rows*cols)
	var lut [16]float32
	for r := range rows {
		codes := b[r*rowBytes : (r+1)*rowBytes]
		out := w[r*cols : (r+1)*cols]
		for g := range ng {
			s := scales[r*ng+g]
			for q := range lut {
				lut[q] = float32(int8(q<<4)>>4) * s
			}
			c, end := g*group, min((g+1)*group, cols)
			if c&1 == 1 { // an odd group size: the group starts in a high nibble
				out[c] = lut[codes[c/2]>>4]
				c++
			}
			for ; c+1 < end; c += 2 {
				q := codes[c/2]
				out[c], out[c+1] = lut[q&0x0f], lut[q>>4]
			}
			if c < end {
				out[c] = lut[codes[c/2]&0x0f]
			}
		}
	}
	return w, b[rows*rowBytes:]
}
