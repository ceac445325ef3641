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

// FormatVersion is the version of the file format written by this package.
// Parse accepts only this version.
const FormatVersion = 1

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

	encFloat32 = "float32"
	encInt8Row = "int8-row"
)

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
}

// metadata is the JSON block of the file.
type metadata struct {
	In                int                `json:"in"`
	Hidden            int                `json:"hidden"`
	Out               int                `json:"out"`
	Weights           string             `json:"weights"` // encFloat32 or encInt8Row
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
	if opt.Quantize8 {
		md.Weights = encInt8Row
	}
	meta, err := json.Marshal(md)
	if err != nil {
		return nil, fmt.Errorf("head: marshal metadata: %w", err)
	}
	if len(meta) > MaxMetaSize {
		return nil, fmt.Errorf("head: metadata is %d bytes, limit %d (too many curve points?)", len(meta), MaxMetaSize)
	}
	size := headerSize + len(meta) + tensorBytes(md.Weights, h.In, h.Hidden, h.Out) + trailerSize
	b := make([]byte, 0, size)
	b = append(b, magic...)
	b = binary.LittleEndian.AppendUint32(b, FormatVersion)
	b = binary.LittleEndian.AppendUint64(b, uint64(size))
	b = binary.LittleEndian.AppendUint32(b, uint32(len(meta)))
	b = append(b, meta...)
	b = appendMatrix(b, h.W1, h.Hidden, h.In, opt.Quantize8)
	b = appendFloats(b, h.B1)
	b = appendMatrix(b, h.W2, h.Out, h.Hidden, opt.Quantize8)
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
	if v := binary.LittleEndian.Uint32(b[8:]); v != FormatVersion {
		which := "newer"
		if v < FormatVersion {
			which = "older"
		}
		return nil, formatErr(ErrVersion, "version %d is %s than this build's %d", v, which, FormatVersion)
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
	if md.Weights != encFloat32 && md.Weights != encInt8Row {
		return nil, formatErr(ErrCorrupt, "unknown weight encoding %q", md.Weights)
	}
	tensors := body[headerSize+metaLen:]
	if want := tensorBytes(md.Weights, md.In, md.Hidden, md.Out); len(tensors) != want {
		return nil, formatErr(ErrCorrupt, "%d tensor bytes, sizes in=%d hidden=%d out=%d (%s) need %d",
			len(tensors), md.In, md.Hidden, md.Out, md.Weights, want)
	}
	h := &Head{
		In: md.In, Hidden: md.Hidden, Out: md.Out, Mode: md.Mode,
		Labels: md.Labels, Thresholds: md.Thresholds, Metrics: md.Metrics,
		PerLabel: md.PerLabel, Curves: md.Curves, BackboneSHA256: md.BackboneSHA256,
		Preprocess: md.Preprocess, PreprocessVersion: md.PreprocessVersion,
		Created: md.Created, Notes: md.Notes, Quantized: md.Weights == encInt8Row,
	}
	if h.Metrics == nil {
		h.Metrics = map[string]float64{}
	}
	q := h.Quantized
	h.W1, tensors = readMatrix(tensors, h.Hidden, h.In, q)
	h.B1, tensors = readFloats(tensors, h.Hidden)
	h.W2, tensors = readMatrix(tensors, h.Out, h.Hidden, q)
	h.B2, _ = readFloats(tensors, h.Out)
	if err := h.Validate(); err != nil {
		return nil, formatErr(ErrCorrupt, "%v", err)
	}
	return h, nil
}

// tensorBytes is the encoded size of W1, b1, W2, b2. Sizes must already be
// within MaxDim and MaxParams, so nothing overflows.
func tensorBytes(enc string, in, hidden, out int) int {
	n := 4 * (hidden + out) // biases
	if enc == encInt8Row {
		return n + 4*(hidden+out) + hidden*in + out*hidden
	}
	return n + 4*(hidden*in+out*hidden)
}

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
