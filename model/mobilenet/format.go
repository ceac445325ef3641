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

// The weight file ("backbone.pstb") is:
//
//	header  64 bytes: magic "PSTYBKBN", format version (uint32), flags
//	        (uint32, 0), sha256 of the source ONNX file (32 bytes), payload
//	        length (uint64), reserved (uint64, 0)
//	payload the Net: scalars, the tensor table, then the op table with each
//	        conv's int8 weights in the kernels' layout (W[M][K] pointwise,
//	        W[9][C] depthwise, W[M][9·K] full), int32 biases and float32
//	        requantization multipliers
//	trailer sha256 of header and payload (32 bytes)
//
// All numbers are little-endian. The trailer is also the file's identity:
// Checksum, which the feature cache and the head record.
const (
	fileMagic = "PSTYBKBN"
	// FormatVersion is the weight-file version this build reads and writes.
	// Bump it whenever the payload layout or the kernels' weight layout
	// changes.
	FormatVersion = 1
	headerLen     = 64
	trailerLen    = sha256.Size
	maxFileSize   = 64 << 20
)

// ErrWeights is wrapped by every error about an unusable weight file.
var ErrWeights = errors.New("mobilenet: unusable weight file")

const hint = ` (run "make model" to rebuild it)`

// Encode serializes the Net into the weight-file format.
func (n *Net) Encode() ([]byte, error) {
	src, err := hex.DecodeString(n.SourceSHA256)
	if err != nil || len(src) != 32 {
		return nil, fmt.Errorf("mobilenet: source sha256 %q is not 64 hex digits", n.SourceSHA256)
	}
	var p enc
	p.f32(n.InScale)
	p.i32(n.InZP)
	p.u32(uint32(n.Feature))
	p.u32(uint32(n.Logits))
	p.f32(n.OutScale)
	p.i32(n.OutZP)
	p.u32(uint32(len(n.Tensors)))
	for _, t := range n.Tensors {
		p.str(t.Name)
		p.u32(uint32(t.H))
		p.u32(uint32(t.W))
		p.u32(uint32(t.C))
		p.f32(t.Scale)
		p.i32(t.ZP)
	}
	p.u32(uint32(len(n.Ops)))
	for _, op := range n.Ops {
		p.u8(uint8(op.Kind))
		p.str(op.Name)
		p.u32(uint32(op.In))
		p.u32(uint32(op.In2))
		p.u32(uint32(op.Out))
		switch op.Kind {
		case OpConv:
			c := op.Conv
			p.u8(uint8(c.Kind))
			p.u32(uint32(c.K))
			p.u32(uint32(c.M))
			p.u32(uint32(c.Stride))
			p.i32(c.XZP)
			p.i32(c.YZP)
			p.u32(uint32(len(c.W)))
			for _, w := range c.W {
				p.u8(uint8(w))
			}
			p.u32(uint32(len(c.Bias)))
			for _, b := range c.Bias {
				p.i32(b)
			}
			p.u32(uint32(len(c.Mult)))
			for _, m := range c.Mult {
				p.f32(m)
			}
		case OpAdd, OpAddConst:
			p.f32(op.Add.RA)
			p.f32(op.Add.RB)
			p.f32(op.Add.K)
			p.u32(uint32(len(op.Const)))
			p.b = append(p.b, op.Const...)
		}
	}
	var h [headerLen]byte
	copy(h[:], fileMagic)
	binary.LittleEndian.PutUint32(h[8:], FormatVersion)
	copy(h[16:48], src)
	binary.LittleEndian.PutUint64(h[48:], uint64(len(p.b)))
	out := append(h[:], p.b...)
	sum := sha256.Sum256(out)
	return append(out, sum[:]...), nil
}

// WriteFile writes the Net's weight file atomically: a temporary file in
// the same folder, synced, then renamed over path.
func (n *Net) WriteFile(path string) error {
	b, err := n.Encode()
	if err != nil {
		return err
	}
	if err := atomicfile.Write(path, b); err != nil {
		return fmt.Errorf("mobilenet: %w", err)
	}
	return nil
}

// LoadFile reads and checks a weight file.
func LoadFile(path string) (*Net, error) {
	st, err := os.Stat(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%w: %s does not exist%s", ErrWeights, path, hint)
		}
		return nil, fmt.Errorf("mobilenet: %w", err)
	}
	if st.Size() > maxFileSize {
		return nil, fmt.Errorf("%w: %s is %d bytes, more than any backbone file%s", ErrWeights, path, st.Size(), hint)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("mobilenet: %w", err)
	}
	n, err := Decode(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return n, nil
}

// Checksum returns the hex sha256 trailer of an encoded weight file: the
// identity the feature cache and trained heads record.
func Checksum(file []byte) string {
	if len(file) < trailerLen {
		return ""
	}
	return hex.EncodeToString(file[len(file)-trailerLen:])
}

// Decode checks and parses an encoded weight file. Every length is
// bounds-checked, so hostile bytes give an error, never a panic.
func Decode(b []byte) (*Net, error) {
	if len(b) < headerLen || string(b[:8]) != fileMagic {
		if bytes.HasPrefix(b, []byte{0x08}) {
			return nil, fmt.Errorf("%w: this looks like an ONNX file, not a converted backbone%s", ErrWeights, hint)
		}
		return nil, fmt.Errorf("%w: not a Posterity backbone file (bad magic)%s", ErrWeights, hint)
	}
	if v := binary.LittleEndian.Uint32(b[8:]); v != FormatVersion {
		return nil, fmt.Errorf("%w: format version %d, this build reads version %d%s", ErrWeights, v, FormatVersion, hint)
	}
	plen := binary.LittleEndian.Uint64(b[48:])
	if want := uint64(headerLen) + plen + trailerLen; plen > maxFileSize || uint64(len(b)) != want {
		return nil, fmt.Errorf("%w: %d bytes, the header says %d: truncated or padded%s", ErrWeights, len(b), want, hint)
	}
	body := b[:len(b)-trailerLen]
	if sum := sha256.Sum256(body); !bytes.Equal(sum[:], b[len(body):]) {
		return nil, fmt.Errorf("%w: checksum mismatch, the file is corrupted%s", ErrWeights, hint)
	}
	n, err := decodePayload(b[headerLen:len(body)])
	if err != nil {
		return nil, fmt.Errorf("%w: %v%s", ErrWeights, err, hint)
	}
	n.SourceSHA256 = hex.EncodeToString(b[16:48])
	if err := n.validate(); err != nil {
		return nil, fmt.Errorf("%w: %v%s", ErrWeights, err, hint)
	}
	n.prepare()
	return n, nil
}

func decodePayload(b []byte) (*Net, error) {
	d := dec{b: b}
	n := &Net{}
	n.InScale = d.f32()
	n.InZP = d.i32()
	n.Feature = int(d.u32())
	n.Logits = int(d.u32())
	n.OutScale = d.f32()
	n.OutZP = d.i32()
	nt := d.count(4 * 6)
	n.Tensors = make([]Tensor, nt)
	for i := range n.Tensors {
		t := &n.Tensors[i]
		t.Name = d.str()
		t.H, t.W, t.C = int(d.u32()), int(d.u32()), int(d.u32())
		t.Scale = d.f32()
		t.ZP = d.i32()
		if t.H > 4096 || t.W > 4096 || t.C > 1<<16 {
			d.fail("tensor %q is %d×%d×%d", t.Name, t.H, t.W, t.C)
		}
	}
	nops := d.count(14)
	n.Ops = make([]Op, nops)
	for i := range n.Ops {
		op := &n.Ops[i]
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
			break
		}
	}
	if d.err == nil && len(d.b) != 0 {
		d.fail("%d trailing payload bytes", len(d.b))
	}
	return n, d.err
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
