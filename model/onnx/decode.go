package onnx

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"os"

	"google.golang.org/protobuf/encoding/protowire"
)

// maxElements bounds a single tensor so that a hostile file cannot make the
// reader allocate without limit. The largest tensor of MobileNetV2 has
// 1.28 M elements.
const maxElements = 1 << 28

// ErrFormat is wrapped by every error about malformed input.
var ErrFormat = errors.New("onnx: malformed model")

// ReadFile reads and decodes the model at path, and returns the hex sha256
// of the file's bytes with it.
func ReadFile(path string) (*Model, string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, "", fmt.Errorf("onnx: %w", err)
	}
	m, err := Decode(b)
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", path, err)
	}
	sum := sha256.Sum256(b)
	return m, hex.EncodeToString(sum[:]), nil
}

// Decode parses a serialized ModelProto.
func Decode(b []byte) (m *Model, err error) {
	m = &Model{Opsets: map[string]int64{}}
	err = fields(b, func(num protowire.Number, typ protowire.Type, v []byte, x uint64) error {
		switch num {
		case 1:
			m.IRVersion = int64(x)
		case 2:
			m.ProducerName = string(v)
		case 7:
			return decodeGraph(v, &m.Graph)
		case 8:
			var dom string
			var ver int64
			if err := fields(v, func(n protowire.Number, _ protowire.Type, v []byte, x uint64) error {
				switch n {
				case 1:
					dom = string(v)
				case 2:
					ver = int64(x)
				}
				return nil
			}); err != nil {
				return fmt.Errorf("opset_import: %w", err)
			}
			m.Opsets[dom] = ver
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(m.Graph.Nodes) == 0 {
		return nil, fmt.Errorf("%w: no graph nodes (is this an ONNX model?)", ErrFormat)
	}
	return m, nil
}

// fields walks the top-level fields of one message. For varint and fixed
// fields x holds the value; for length-delimited fields v holds the bytes.
func fields(b []byte, f func(num protowire.Number, typ protowire.Type, v []byte, x uint64) error) error {
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return fmt.Errorf("%w: bad tag: %v", ErrFormat, protowire.ParseError(n))
		}
		b = b[n:]
		var v []byte
		var x uint64
		switch typ {
		case protowire.VarintType:
			x, n = protowire.ConsumeVarint(b)
		case protowire.Fixed32Type:
			var u uint32
			u, n = protowire.ConsumeFixed32(b)
			x = uint64(u)
		case protowire.Fixed64Type:
			x, n = protowire.ConsumeFixed64(b)
		case protowire.BytesType:
			v, n = protowire.ConsumeBytes(b)
		default:
			n = protowire.ConsumeFieldValue(num, typ, b)
		}
		if n < 0 {
			return fmt.Errorf("%w: field %d: %v", ErrFormat, num, protowire.ParseError(n))
		}
		b = b[n:]
		if err := f(num, typ, v, x); err != nil {
			return err
		}
	}
	return nil
}

func decodeGraph(b []byte, g *Graph) error {
	g.Initializers = map[string]*Tensor{}
	return fields(b, func(num protowire.Number, _ protowire.Type, v []byte, _ uint64) error {
		switch num {
		case 1:
			n, err := decodeNode(v)
			if err != nil {
				return fmt.Errorf("node %d: %w", len(g.Nodes), err)
			}
			g.Nodes = append(g.Nodes, n)
		case 2:
			g.Name = string(v)
		case 5:
			t, err := decodeTensor(v)
			if err != nil {
				return fmt.Errorf("initializer %d: %w", len(g.Initializers), err)
			}
			g.Initializers[t.Name] = t
		case 11, 12:
			name, err := valueInfoName(v)
			if err != nil {
				return err
			}
			if num == 11 {
				g.Inputs = append(g.Inputs, name)
			} else {
				g.Outputs = append(g.Outputs, name)
			}
		}
		return nil
	})
}

func valueInfoName(b []byte) (string, error) {
	var name string
	err := fields(b, func(num protowire.Number, _ protowire.Type, v []byte, _ uint64) error {
		if num == 1 {
			name = string(v)
		}
		return nil
	})
	return name, err
}

func decodeNode(b []byte) (Node, error) {
	n := Node{Attrs: map[string]Attribute{}}
	err := fields(b, func(num protowire.Number, _ protowire.Type, v []byte, _ uint64) error {
		switch num {
		case 1:
			n.Inputs = append(n.Inputs, string(v))
		case 2:
			n.Outputs = append(n.Outputs, string(v))
		case 3:
			n.Name = string(v)
		case 4:
			n.OpType = string(v)
		case 5:
			a, err := decodeAttr(v)
			if err != nil {
				return fmt.Errorf("attribute: %w", err)
			}
			n.Attrs[a.Name] = a
		case 7:
			n.Domain = string(v)
		}
		return nil
	})
	return n, err
}

func decodeAttr(b []byte) (Attribute, error) {
	var a Attribute
	err := fields(b, func(num protowire.Number, typ protowire.Type, v []byte, x uint64) error {
		switch num {
		case 1:
			a.Name = string(v)
		case 2:
			a.F = math.Float32frombits(uint32(x))
		case 3:
			a.I = int64(x)
		case 4:
			a.S = append([]byte(nil), v...)
		case 5:
			t, err := decodeTensor(v)
			if err != nil {
				return err
			}
			a.T = t
		case 7:
			if typ == protowire.BytesType {
				fs, err := packedFixed32(v)
				if err != nil {
					return err
				}
				for _, u := range fs {
					a.Floats = append(a.Floats, math.Float32frombits(u))
				}
			} else {
				a.Floats = append(a.Floats, math.Float32frombits(uint32(x)))
			}
		case 8:
			if typ == protowire.BytesType {
				vs, err := packedVarints(v)
				if err != nil {
					return err
				}
				for _, u := range vs {
					a.Ints = append(a.Ints, int64(u))
				}
			} else {
				a.Ints = append(a.Ints, int64(x))
			}
		case 9:
			a.Strings = append(a.Strings, append([]byte(nil), v...))
		}
		return nil
	})
	return a, err
}

func packedVarints(b []byte) ([]uint64, error) {
	var out []uint64
	for len(b) > 0 {
		x, n := protowire.ConsumeVarint(b)
		if n < 0 {
			return nil, fmt.Errorf("%w: packed varint: %v", ErrFormat, protowire.ParseError(n))
		}
		out = append(out, x)
		b = b[n:]
	}
	return out, nil
}

func packedFixed32(b []byte) ([]uint32, error) {
	if len(b)%4 != 0 {
		return nil, fmt.Errorf("%w: packed fixed32 of %d bytes", ErrFormat, len(b))
	}
	out := make([]uint32, len(b)/4)
	for i := range out {
		out[i] = binary.LittleEndian.Uint32(b[4*i:])
	}
	return out, nil
}

func packedFixed64(b []byte) ([]uint64, error) {
	if len(b)%8 != 0 {
		return nil, fmt.Errorf("%w: packed fixed64 of %d bytes", ErrFormat, len(b))
	}
	out := make([]uint64, len(b)/8)
	for i := range out {
		out[i] = binary.LittleEndian.Uint64(b[8*i:])
	}
	return out, nil
}
