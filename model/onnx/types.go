package onnx

import "fmt"

// DataType is an ONNX TensorProto.DataType.
type DataType int32

// The data types this reader decodes.
const (
	Float  DataType = 1
	Uint8  DataType = 2
	Int8   DataType = 3
	Uint16 DataType = 4
	Int16  DataType = 5
	Int32  DataType = 6
	Int64  DataType = 7
	Bool   DataType = 9
	Double DataType = 11
	Uint32 DataType = 12
	Uint64 DataType = 13
)

var dataTypeNames = map[DataType]string{
	Float: "float32", Uint8: "uint8", Int8: "int8", Uint16: "uint16", Int16: "int16",
	Int32: "int32", Int64: "int64", Bool: "bool", Double: "float64", Uint32: "uint32", Uint64: "uint64",
}

// String returns the Go-style name of the type.
func (t DataType) String() string {
	if s, ok := dataTypeNames[t]; ok {
		return s
	}
	return fmt.Sprintf("DataType(%d)", int32(t))
}

// Model is a decoded ModelProto.
type Model struct {
	IRVersion    int64
	ProducerName string
	Opsets       map[string]int64 // domain ("" is ai.onnx) → version
	Graph        Graph
}

// Graph is a decoded GraphProto.
type Graph struct {
	Name         string
	Nodes        []Node
	Initializers map[string]*Tensor
	Inputs       []string
	Outputs      []string
}

// Node is a decoded NodeProto.
type Node struct {
	Name    string
	OpType  string
	Domain  string
	Inputs  []string
	Outputs []string
	Attrs   map[string]Attribute
}

// Attribute is a decoded AttributeProto; only the field matching its kind
// is set.
type Attribute struct {
	Name    string
	F       float32
	I       int64
	S       []byte
	T       *Tensor
	Floats  []float32
	Ints    []int64
	Strings [][]byte
}

// Tensor is a decoded TensorProto. Exactly one of the typed slices is set,
// according to DataType: Uint8 and Bool use U8, Int8 uses I8, Int16, Uint16
// and Int32 use I32, Int64 uses I64, Float uses F32, Double uses F64,
// Uint32 and Uint64 use U64.
type Tensor struct {
	Name     string
	DataType DataType
	Dims     []int64
	U8       []uint8
	I8       []int8
	I32      []int32
	I64      []int64
	F32      []float32
	F64      []float64
	U64      []uint64
}

// NumElements returns the product of the tensor's dims (1 for a scalar).
func (t *Tensor) NumElements() int64 {
	n := int64(1)
	for _, d := range t.Dims {
		n *= d
	}
	return n
}

// Len returns the number of decoded elements.
func (t *Tensor) Len() int {
	switch {
	case t.U8 != nil:
		return len(t.U8)
	case t.I8 != nil:
		return len(t.I8)
	case t.I32 != nil:
		return len(t.I32)
	case t.I64 != nil:
		return len(t.I64)
	case t.F32 != nil:
		return len(t.F32)
	case t.F64 != nil:
		return len(t.F64)
	case t.U64 != nil:
		return len(t.U64)
	}
	return 0
}

// Int returns element i widened to int64, for integer tensors.
func (t *Tensor) Int(i int) int64 {
	switch {
	case t.U8 != nil:
		return int64(t.U8[i])
	case t.I8 != nil:
		return int64(t.I8[i])
	case t.I32 != nil:
		return int64(t.I32[i])
	case t.I64 != nil:
		return t.I64[i]
	case t.U64 != nil:
		return int64(t.U64[i])
	}
	panic(fmt.Sprintf("onnx: tensor %q (%v) is not an integer tensor", t.Name, t.DataType))
}
