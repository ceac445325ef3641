package onnx

import (
	"encoding/binary"
	"fmt"
	"math"

	"google.golang.org/protobuf/encoding/protowire"
)

// decodeTensor parses a TensorProto. Data may come from raw_data (little
// endian, as the ONNX spec requires) or from the typed repeated fields.
func decodeTensor(b []byte) (*Tensor, error) {
	t := &Tensor{}
	var raw []byte
	var hasRaw bool
	var i32 []uint64 // int32_data holds int8/uint8/int16/uint16/int32/bool
	var i64 []uint64
	var f32 []uint32
	var f64 []uint64
	var u64 []uint64
	external := false
	err := fields(b, func(num protowire.Number, typ protowire.Type, v []byte, x uint64) error {
		var err error
		var vs []uint64
		switch num {
		case 1:
			if typ == protowire.BytesType {
				if vs, err = packedVarints(v); err != nil {
					return err
				}
				for _, d := range vs {
					t.Dims = append(t.Dims, int64(d))
				}
			} else {
				t.Dims = append(t.Dims, int64(x))
			}
		case 2:
			t.DataType = DataType(int32(x))
		case 8:
			t.Name = string(v)
		case 9:
			raw, hasRaw = v, true
		case 4:
			if typ == protowire.BytesType {
				us, err := packedFixed32(v)
				if err != nil {
					return err
				}
				f32 = append(f32, us...)
			} else {
				f32 = append(f32, uint32(x))
			}
		case 5, 7, 11:
			if typ == protowire.BytesType {
				if vs, err = packedVarints(v); err != nil {
					return err
				}
			} else {
				vs = []uint64{x}
			}
			switch num {
			case 5:
				i32 = append(i32, vs...)
			case 7:
				i64 = append(i64, vs...)
			default:
				u64 = append(u64, vs...)
			}
		case 10:
			if typ == protowire.BytesType {
				us, err := packedFixed64(v)
				if err != nil {
					return err
				}
				f64 = append(f64, us...)
			} else {
				f64 = append(f64, x)
			}
		case 14:
			external = x == 1
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if external {
		return nil, fmt.Errorf("%w: tensor %q uses external data, which is not supported", ErrFormat, t.Name)
	}
	n := int64(1)
	for _, d := range t.Dims {
		if d < 0 || d > maxElements {
			return nil, fmt.Errorf("%w: tensor %q has dim %d", ErrFormat, t.Name, d)
		}
		n *= d
		if n > maxElements {
			return nil, fmt.Errorf("%w: tensor %q is too large (%v)", ErrFormat, t.Name, t.Dims)
		}
	}
	if hasRaw {
		err = t.fromRaw(raw, int(n))
	} else {
		err = t.fromTyped(i32, i64, f32, f64, u64)
	}
	if err != nil {
		return nil, err
	}
	if int64(t.Len()) != n {
		return nil, fmt.Errorf("%w: tensor %q has %d elements, dims %v say %d", ErrFormat, t.Name, t.Len(), t.Dims, n)
	}
	return t, nil
}

func elemSize(dt DataType) int {
	switch dt {
	case Uint8, Int8, Bool:
		return 1
	case Int16, Uint16:
		return 2
	case Float, Int32, Uint32:
		return 4
	case Int64, Double, Uint64:
		return 8
	}
	return 0
}

func (t *Tensor) fromRaw(raw []byte, n int) error {
	size := elemSize(t.DataType)
	if size == 0 {
		return fmt.Errorf("%w: tensor %q has unsupported data type %v", ErrFormat, t.Name, t.DataType)
	}
	if len(raw) != n*size {
		return fmt.Errorf("%w: tensor %q: raw_data has %d bytes, want %d", ErrFormat, t.Name, len(raw), n*size)
	}
	le := binary.LittleEndian
	switch t.DataType {
	case Uint8, Bool:
		t.U8 = append(make([]uint8, 0, n), raw...)
	case Int8:
		t.I8 = make([]int8, n)
		for i, v := range raw {
			t.I8[i] = int8(v)
		}
	case Int16:
		t.I32 = make([]int32, n)
		for i := range t.I32 {
			t.I32[i] = int32(int16(le.Uint16(raw[2*i:])))
		}
	case Uint16:
		t.I32 = make([]int32, n)
		for i := range t.I32 {
			t.I32[i] = int32(le.Uint16(raw[2*i:]))
		}
	case Int32:
		t.I32 = make([]int32, n)
		for i := range t.I32 {
			t.I32[i] = int32(le.Uint32(raw[4*i:]))
		}
	case Uint32:
		t.U64 = make([]uint64, n)
		for i := range t.U64 {
			t.U64[i] = uint64(le.Uint32(raw[4*i:]))
		}
	case Float:
		t.F32 = make([]float32, n)
		for i := range t.F32 {
			t.F32[i] = math.Float32frombits(le.Uint32(raw[4*i:]))
		}
	case Int64:
		t.I64 = make([]int64, n)
		for i := range t.I64 {
			t.I64[i] = int64(le.Uint64(raw[8*i:]))
		}
	case Uint64:
		t.U64 = make([]uint64, n)
		for i := range t.U64 {
			t.U64[i] = le.Uint64(raw[8*i:])
		}
	case Double:
		t.F64 = make([]float64, n)
		for i := range t.F64 {
			t.F64[i] = math.Float64frombits(le.Uint64(raw[8*i:]))
		}
	}
	return nil
}

func (t *Tensor) fromTyped(i32, i64 []uint64, f32 []uint32, f64, u64 []uint64) error {
	switch t.DataType {
	case Uint8, Bool:
		t.U8 = make([]uint8, len(i32))
		for i, v := range i32 {
			t.U8[i] = uint8(v)
		}
	case Int8:
		t.I8 = make([]int8, len(i32))
		for i, v := range i32 {
			t.I8[i] = int8(int32(v))
		}
	case Int16, Uint16, Int32:
		t.I32 = make([]int32, len(i32))
		for i, v := range i32 {
			t.I32[i] = int32(v)
		}
	case Int64:
		t.I64 = make([]int64, len(i64))
		for i, v := range i64 {
			t.I64[i] = int64(v)
		}
	case Uint32, Uint64:
		t.U64 = append(make([]uint64, 0, len(u64)), u64...)
	case Float:
		t.F32 = make([]float32, len(f32))
		for i, v := range f32 {
			t.F32[i] = math.Float32frombits(v)
		}
	case Double:
		t.F64 = make([]float64, len(f64))
		for i, v := range f64 {
			t.F64[i] = math.Float64frombits(v)
		}
	default:
		return fmt.Errorf("%w: tensor %q has unsupported data type %v", ErrFormat, t.Name, t.DataType)
	}
	// An empty typed field decodes as a zero-length but non-nil slice only
	// for the type that was meant; make scalars with no data an error.
	return nil
}
