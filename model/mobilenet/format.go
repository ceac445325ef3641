package mobilenet

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"os"

	"posterity/internal/atomicfile"
	"posterity/model/kernels"
)

// The engine's weights are split across two files of one container format,
// so that a first visit downloads only what genre classification needs:
//
//   - the backbone file ("backbone.pstb", magic "PSTYBKBN"): the quantized
//     input and every op up to the 7×7×1280 feature map (627_quantized);
//   - the ImageNet classifier file ("imagenet.pstb", magic "PSTYINET"): the
//     ops after it, global pooling and the 1280→1000 QLinearMatMul with its
//     bias add (≈ 1.28 MB of int8 weights), which only the ImageNet top-5
//     needs. Net.AttachImageNet adds it to a loaded backbone.
//
// Each file is:
//
//	header  64 bytes: magic (8 bytes), format version (uint32), flags
//	        (uint32, 0), sha256 of the source ONNX file (32 bytes), payload
//	        length (uint64), reserved (uint64, 0)
//	payload backbone: scalars, the tensor table, then the op table with
//	        each conv's int8 weights in the kernels' layout (W[M][K]
//	        pointwise, W[9][C] depthwise, W[M][9·K] full), int32 biases and
//	        float32 requantization multipliers.
//	        classifier: the index of its first tensor (the backbone's
//	        tensor count), the output tensor and its dequantization, then
//	        its own tensor and op tables in the same encoding; its first op
//	        reads the backbone's feature map.
//	trailer sha256 of header and payload (32 bytes)
//
// All numbers are little-endian. The trailer is also the file's identity:
// Checksum. The two files belong together when they were converted from the
// same ONNX file by the same format version; AttachImageNet checks both.
const (
	backboneMagic = "PSTYBKBN"
	imagenetMagic = "PSTYINET"
	// FormatVersion is the weight-file version this build reads and writes,
	// for both files. Bump it whenever the payload layout, the split between
	// the files or the kernels' weight layout changes. Version 1 was a single
	// file holding the ImageNet classifier too.
	FormatVersion = 2
	headerLen     = 64
	trailerLen    = sha256.Size
	maxFileSize   = 64 << 20
)

// ErrWeights is wrapped by every error about an unusable weight file.
var ErrWeights = errors.New("mobilenet: unusable weight file")

// ErrNoImageNet is returned by Engine.Logits when the Net has no ImageNet
// classifier attached (AttachImageNet).
var ErrNoImageNet = errors.New("mobilenet: the ImageNet classifier (imagenet.pstb) is not loaded")

const hint = ` (run "make model" to rebuild it)`

// fileKind describes one of the two weight files for the container code.
type fileKind struct {
	magic, what, other, otherWhat string
}

var (
	backboneKind = fileKind{backboneMagic, "backbone file", imagenetMagic, "the ImageNet classifier file"}
	imagenetKind = fileKind{imagenetMagic, "ImageNet classifier file", backboneMagic, "the backbone file"}
)

// split returns the number of tensors and ops that belong to the backbone
// file: everything up to the feature map. The converter appends tensors in
// graph order, so the feature map is the backbone's last tensor and every
// later tensor is the classifier's; split checks that.
func (n *Net) split() (tensors, ops int, err error) {
	tensors, ops = n.Feature+1, n.featureOps()
	for i, op := range n.Ops {
		var ok bool
		if i < ops { // reads and writes backbone tensors only
			ok = op.In < tensors && op.Out < tensors && (op.Kind != OpAdd || op.In2 < tensors)
		} else { // writes classifier tensors only
			ok = op.Out >= tensors
		}
		if !ok {
			return 0, 0, fmt.Errorf("mobilenet: op %d (%s) crosses the backbone/classifier split", i, op.Name)
		}
	}
	return tensors, ops, nil
}

// Encode serializes the Net's backbone, everything up to the feature map,
// into the backbone weight-file format.
func (n *Net) Encode() ([]byte, error) {
	nt, nops, err := n.split()
	if err != nil {
		return nil, err
	}
	var p enc
	p.f32(n.InScale)
	p.i32(n.InZP)
	p.u32(uint32(n.Feature))
	p.tensors(n.Tensors[:nt])
	p.ops(n.Ops[:nops])
	return seal(backboneMagic, n.SourceSHA256, p.b)
}

// EncodeImageNet serializes the Net's ImageNet classifier, the ops after
// the feature map, into the classifier weight-file format. The Net must
// have one (Convert's always does).
func (n *Net) EncodeImageNet() ([]byte, error) {
	if !n.HasImageNet() {
		return nil, ErrNoImageNet
	}
	nt, nops, err := n.split()
	if err != nil {
		return nil, err
	}
	var p enc
	p.u32(uint32(nt))
	p.u32(uint32(n.Logits))
	p.f32(n.OutScale)
	p.i32(n.OutZP)
	p.tensors(n.Tensors[nt:])
	p.ops(n.Ops[nops:])
	return seal(imagenetMagic, n.SourceSHA256, p.b)
}

// seal prepends the header and appends the sha256 trailer.
func seal(magic, source string, payload []byte) ([]byte, error) {
	src, err := hex.DecodeString(source)
	if err != nil || len(src) != 32 {
		return nil, fmt.Errorf("mobilenet: source sha256 %q is not 64 hex digits", source)
	}
	var h [headerLen]byte
	copy(h[:], magic)
	binary.LittleEndian.PutUint32(h[8:], FormatVersion)
	copy(h[16:48], src)
	binary.LittleEndian.PutUint64(h[48:], uint64(len(payload)))
	out := append(h[:], payload...)
	sum := sha256.Sum256(out)
	return append(out, sum[:]...), nil
}

func (e *enc) tensors(ts []Tensor) {
	e.u32(uint32(len(ts)))
	for _, t := range ts {
		e.str(t.Name)
		e.u32(uint32(t.H))
		e.u32(uint32(t.W))
		e.u32(uint32(t.C))
		e.f32(t.Scale)
		e.i32(t.ZP)
	}
}

func (e *enc) ops(ops []Op) {
	e.u32(uint32(len(ops)))
	for _, op := range ops {
		e.u8(uint8(op.Kind))
		e.str(op.Name)
		e.u32(uint32(op.In))
		e.u32(uint32(op.In2))
		e.u32(uint32(op.Out))
		switch op.Kind {
		case OpConv:
			c := op.Conv
			e.u8(uint8(c.Kind))
			e.u32(uint32(c.K))
			e.u32(uint32(c.M))
			e.u32(uint32(c.Stride))
			e.i32(c.XZP)
			e.i32(c.YZP)
			e.u32(uint32(len(c.W)))
			for _, w := range c.W {
				e.u8(uint8(w))
			}
			e.u32(uint32(len(c.Bias)))
			for _, b := range c.Bias {
				e.i32(b)
			}
			e.u32(uint32(len(c.Mult)))
			for _, m := range c.Mult {
				e.f32(m)
			}
		case OpAdd, OpAddConst:
			e.f32(op.Add.RA)
			e.f32(op.Add.RB)
			e.f32(op.Add.K)
			e.u32(uint32(len(op.Const)))
			e.b = append(e.b, op.Const...)
		}
	}
}

// WriteFiles writes the Net's two weight files, the backbone to backbone
// and the ImageNet classifier to imagenet, each atomically: a temporary
// file in the same folder, synced, then renamed over the path.
func (n *Net) WriteFiles(backbone, imagenet string) error {
	bb, err := n.Encode()
	if err != nil {
		return err
	}
	cl, err := n.EncodeImageNet()
	if err != nil {
		return err
	}
	if err := atomicfile.Write(backbone, bb); err != nil {
		return fmt.Errorf("mobilenet: %w", err)
	}
	if err := atomicfile.Write(imagenet, cl); err != nil {
		return fmt.Errorf("mobilenet: %w", err)
	}
	return nil
}

// readFile reads a weight file, refusing a missing or oversized one with
// the hint.
func readFile(path, what string) ([]byte, error) {
	st, err := os.Stat(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%w: %s does not exist%s", ErrWeights, path, hint)
		}
		return nil, fmt.Errorf("mobilenet: %w", err)
	}
	if st.Size() > maxFileSize {
		return nil, fmt.Errorf("%w: %s is %d bytes, more than any %s%s", ErrWeights, path, st.Size(), what, hint)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("mobilenet: %w", err)
	}
	return b, nil
}

// LoadFile reads and checks a backbone weight file. The Net it returns
// computes features; Logits needs the ImageNet classifier too (LoadFiles).
func LoadFile(path string) (*Net, error) {
	b, err := readFile(path, backboneKind.what)
	if err != nil {
		return nil, err
	}
	n, err := Decode(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return n, nil
}

// LoadFiles reads the backbone file and the ImageNet classifier file and
// returns the whole network, which computes features and ImageNet logits.
func LoadFiles(backbone, imagenet string) (*Net, error) {
	n, err := LoadFile(backbone)
	if err != nil {
		return nil, err
	}
	b, err := readFile(imagenet, imagenetKind.what)
	if err != nil {
		return nil, err
	}
	full, err := n.AttachImageNet(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", imagenet, err)
	}
	return full, nil
}

// Checksum returns the hex sha256 trailer of an encoded weight file: the
// file's identity.
func Checksum(file []byte) string {
	if len(file) < trailerLen {
		return ""
	}
	return hex.EncodeToString(file[len(file)-trailerLen:])
}

// open checks a weight file's header, length and trailer and returns its
// payload and the hex sha256 of its source ONNX file.
func open(b []byte, k fileKind) (payload []byte, source string, err error) {
	if len(b) < headerLen || string(b[:8]) != k.magic {
		switch {
		case len(b) >= 8 && string(b[:8]) == k.other:
			return nil, "", fmt.Errorf("%w: this is %s, not the %s%s", ErrWeights, k.otherWhat, k.what, hint)
		case bytes.HasPrefix(b, []byte{0x08}):
			return nil, "", fmt.Errorf("%w: this looks like an ONNX file, not a converted %s%s", ErrWeights, k.what, hint)
		}
		return nil, "", fmt.Errorf("%w: not a Posterity %s (bad magic)%s", ErrWeights, k.what, hint)
	}
	if v := binary.LittleEndian.Uint32(b[8:]); v != FormatVersion {
		return nil, "", fmt.Errorf("%w: %s format version %d, this build reads version %d%s", ErrWeights, k.what, v, FormatVersion, hint)
	}
	plen := binary.LittleEndian.Uint64(b[48:])
	if want := uint64(headerLen) + plen + trailerLen; plen > maxFileSize || uint64(len(b)) != want {
		return nil, "", fmt.Errorf("%w: %d bytes, the header says %d: truncated or padded%s", ErrWeights, len(b), want, hint)
	}
	body := b[:len(b)-trailerLen]
	if sum := sha256.Sum256(body); !bytes.Equal(sum[:], b[len(body):]) {
		return nil, "", fmt.Errorf("%w: checksum mismatch, the %s is corrupted%s", ErrWeights, k.what, hint)
	}
	return b[headerLen:len(body)], hex.EncodeToString(b[16:48]), nil
}

// Decode checks and parses an encoded backbone file. Every length is
// bounds-checked, so hostile bytes give an error, never a panic. The Net
// has no ImageNet classifier (see AttachImageNet).
func Decode(b []byte) (*Net, error) {
	payload, source, err := open(b, backboneKind)
	if err != nil {
		return nil, err
	}
	d := dec{b: payload}
	n := &Net{SourceSHA256: source, Logits: -1}
	n.InScale = d.f32()
	n.InZP = d.i32()
	n.Feature = int(d.u32())
	n.Tensors = d.tensors()
	n.Ops = d.ops()
	if d.err == nil && len(d.b) != 0 {
		d.fail("%d trailing payload bytes", len(d.b))
	}
	if d.err == nil {
		d.err = n.validate()
	}
	if d.err == nil && n.featureOps() != len(n.Ops) {
		d.err = fmt.Errorf("ops after the feature map")
	}
	if d.err != nil {
		return nil, fmt.Errorf("%w: %v%s", ErrWeights, d.err, hint)
	}
	n.prepare(n.Ops)
	return n, nil
}

// HasImageNet reports whether the Net has its ImageNet classifier, so that
// Engine.Logits can run.
func (n *Net) HasImageNet() bool { return n.Logits >= 0 }

// AttachImageNet checks and parses an encoded ImageNet classifier file and
// returns a new Net: n followed by the classifier, which computes features
// and ImageNet logits exactly as the converted network does. n, a backbone
// without a classifier, is not modified and stays valid; an Engine of n can
// move to the new Net with Engine.Extend. The file must come from the same
// ONNX file and format version as n's.
func (n *Net) AttachImageNet(b []byte) (*Net, error) {
	if n.HasImageNet() {
		return nil, fmt.Errorf("mobilenet: the backbone already has its ImageNet classifier")
	}
	payload, source, err := open(b, imagenetKind)
	if err != nil {
		return nil, err
	}
	if source != n.SourceSHA256 {
		return nil, fmt.Errorf("%w: the ImageNet classifier was converted from ONNX %.12s…, the backbone from %.12s…%s",
			ErrWeights, source, n.SourceSHA256, hint)
	}
	d := dec{b: payload}
	base := int(d.u32())
	full := *n
	full.Logits = int(d.u32())
	full.OutScale = d.f32()
	full.OutZP = d.i32()
	tensors, ops := d.tensors(), d.ops()
	if d.err == nil && len(d.b) != 0 {
		d.fail("%d trailing payload bytes", len(d.b))
	}
	if d.err == nil && base != len(n.Tensors) {
		d.fail("the classifier starts at tensor %d, the backbone has %d", base, len(n.Tensors))
	}
	if d.err == nil {
		full.Tensors = append(append(make([]Tensor, 0, len(n.Tensors)+len(tensors)), n.Tensors...), tensors...)
		full.Ops = append(append(make([]Op, 0, len(n.Ops)+len(ops)), n.Ops...), ops...)
		if full.Logits < base {
			d.fail("the logits are not the classifier's tensor")
		} else if err := full.validate(); err != nil {
			d.err = err
		}
	}
	if d.err != nil {
		return nil, fmt.Errorf("%w: ImageNet classifier: %v%s", ErrWeights, d.err, hint)
	}
	full.prepare(ops)
	return &full, nil
}

func (d *dec) tensors() []Tensor {
	ts := make([]Tensor, d.count(4*6))
	for i := range ts {
		t := &ts[i]
		t.Name = d.str()
		t.H, t.W, t.C = int(d.u32()), int(d.u32()), int(d.u32())
		t.Scale = d.f32()
		t.ZP = d.i32()
		if t.H > 4096 || t.W > 4096 || t.C > 1<<16 {
			d.fail("tensor %q is %d×%d×%d", t.Name, t.H, t.W, t.C)
		}
	}
	return ts
}

func (d *dec) ops() []Op {
	ops := make([]Op, d.count(14))
	for i := range ops {
		op := &ops[i]
		op.Kind = OpKind(d.u8())
		op.Name = d.str()
		op.In, op.In2, op.Out = int(d.u32()), int(d.u32()), int(d.u32())
		switch op.Kind {
		case OpConv:
			c := &kernels.Conv{}
			c.Kind = kernels.Kind(d.u8())
			c.K, c.M, c.Stride = int(d.u32()), int(d.u32()), int(d.u32())
			c.XZP, c.YZP = d.i32(), d.i32()
			c.W = make([]int8, d.count(1))
			for j := range c.W {
				c.W[j] = int8(d.u8())
			}
			c.Bias = make([]int32, d.count(4))
			for j := range c.Bias {
				c.Bias[j] = d.i32()
			}
			c.Mult = make([]float32, d.count(4))
			for j := range c.Mult {
				c.Mult[j] = d.f32()
			}
			op.Conv = c
		case OpAdd, OpAddConst:
			op.Add.RA, op.Add.RB, op.Add.K = d.f32(), d.f32(), d.f32()
			op.Const = d.bytes(d.count(1))
		case OpPool:
		default:
			d.fail("op %d has unknown kind %d", i, op.Kind)
		}
		if d.err != nil {
			return nil
		}
	}
	return ops
}

type enc struct{ b []byte }

func (e *enc) u8(v uint8)    { e.b = append(e.b, v) }
func (e *enc) u32(v uint32)  { e.b = binary.LittleEndian.AppendUint32(e.b, v) }
func (e *enc) i32(v int32)   { e.u32(uint32(v)) }
func (e *enc) f32(v float32) { e.u32(math.Float32bits(v)) }
func (e *enc) str(s string) {
	e.u32(uint32(len(s)))
	e.b = append(e.b, s...)
}

// dec reads little-endian values; after the first error every read
// returns zero, and err says where it went wrong.
type dec struct {
	b   []byte
	err error
}

func (d *dec) fail(format string, args ...any) {
	if d.err == nil {
		d.err = fmt.Errorf(format, args...)
	}
	d.b = nil
}

func (d *dec) bytes(n int) []byte {
	if d.err != nil || n < 0 || n > len(d.b) {
		d.fail("payload ends early")
		return nil
	}
	v := append([]byte(nil), d.b[:n]...)
	d.b = d.b[n:]
	return v
}

func (d *dec) u8() uint8 {
	if d.err != nil || len(d.b) < 1 {
		d.fail("payload ends early")
		return 0
	}
	v := d.b[0]
	d.b = d.b[1:]
	return v
}

func (d *dec) u32() uint32 {
	if d.err != nil || len(d.b) < 4 {
		d.fail("payload ends early")
		return 0
	}
	v := binary.LittleEndian.Uint32(d.b)
	d.b = d.b[4:]
	return v
}

func (d *dec) i32() int32   { return int32(d.u32()) }
func (d *dec) f32() float32 { return math.Float32frombits(d.u32()) }

// count reads an element count and checks that that many elements of at
// least size bytes each can still follow, so no allocation exceeds the file.
func (d *dec) count(size int) int {
	n := int(d.u32())
	if d.err == nil && n*size > len(d.b) {
		d.fail("count %d exceeds the remaining %d bytes", n, len(d.b))
		return 0
	}
	return n
}

func (d *dec) str() string {
	n := d.count(1)
	if n > 256 {
		d.fail("name of %d bytes", n)
		return ""
	}
	return string(d.bytes(n))
}
