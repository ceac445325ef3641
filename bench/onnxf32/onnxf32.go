// Package onnxf32 turns the quantized MobileNetV2 (mobilenetv2-12-int8.onnx)
// into a float32 ONNX model with the same weights, so that the benchmark can
// time onnxruntime on both variants of one network.
//
// It is a real float model, not the int8 graph wrapped in Dequantize/Quantize
// pairs (ONNX Runtime would still run int8 kernels on that):
//
//	QuantizeLinear(input)            → dropped: the graph takes the float input
//	QLinearConv(x, W, b) → y (zp 0)  → Conv(x, W·ws, b·xs·ws) → Clip(0, 6)  (ReLU6)
//	QLinearConv(x, W, b) → y (zp≠0)  → Conv(x, W·ws, b·xs·ws)               (linear projection)
//	QLinearAdd(a, b)                 → Add(a, b)       (a constant operand is dequantized)
//	QLinearGlobalAveragePool(x)      → GlobalAveragePool(x)
//	QLinearMatMul(a, B)              → MatMul(a, (B−Bz)·Bs)
//	DequantizeLinear(x)              → x itself (or Identity when renamed)
//	Shape, Gather, Unsqueeze, Concat, Reshape → copied
//
// A quantized activation "T_quantized" becomes the float tensor "T". An
// output zero point of 0 is how the quantizer folded ReLU6 into uint8
// saturation (MobileNetV2 follows every expansion and depthwise convolution
// with ReLU6 and leaves the projections linear; the projections are exactly
// the convolutions with a non-zero output zero point here), so those
// convolutions get Clip(0, 6). The float model therefore differs from the
// int8 one by the quantization error only; the benchmark reports how many of
// the golden posters keep their top-1 class.
//
// The model is written with protowire (ONNX IR version 7, opset 12), the
// same library model/onnx reads it with.
package onnxf32

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strings"

	"google.golang.org/protobuf/encoding/protowire"

	"posterity/model/onnx"
)

// ErrGraph is wrapped by every error about a graph this converter does not
// handle.
var ErrGraph = errors.New("onnxf32: unsupported graph")

// Stats counts the float nodes Convert wrote, by op type.
type Stats map[string]int

// Convert returns the serialized float32 model of the quantized model m and
// the number of nodes of each op type it contains.
func Convert(m *onnx.Model) ([]byte, Stats, error) {
	c := &conv{m: m, g: &m.Graph, stats: Stats{}, alias: map[string]string{}, seen: map[string]bool{}}
	for _, nd := range m.Graph.Nodes {
		if err := c.node(nd); err != nil {
			return nil, nil, fmt.Errorf("%w: node %s (%s): %v", ErrGraph, nd.Name, nd.OpType, err)
		}
	}
	c.inits = append(c.inits, tensorF32("clip_min", nil, []float32{0}), tensorF32("clip_max", nil, []float32{6}))
	out := c.name(m.Graph.Outputs[0])
	if out != "output" {
		return nil, nil, fmt.Errorf("%w: the graph's output maps to %q, want \"output\"", ErrGraph, out)
	}
	var g []byte
	for _, n := range c.nodes {
		g = protowire.AppendTag(g, 1, protowire.BytesType)
		g = protowire.AppendBytes(g, n)
	}
	g = appendString(g, 2, "mobilenetv2-float32")
	for _, t := range c.inits {
		g = protowire.AppendTag(g, 5, protowire.BytesType)
		g = protowire.AppendBytes(g, t)
	}
	g = protowire.AppendTag(g, 11, protowire.BytesType)
	g = protowire.AppendBytes(g, valueInfo("input", []int64{1, 3, 224, 224}))
	g = protowire.AppendTag(g, 12, protowire.BytesType)
	g = protowire.AppendBytes(g, valueInfo("output", []int64{1, 1000}))

	var b []byte
	b = protowire.AppendTag(b, 1, protowire.VarintType)
	b = protowire.AppendVarint(b, 7) // IR version 7
	b = appendString(b, 2, "posterity bench/onnxf32")
	b = protowire.AppendTag(b, 7, protowire.BytesType)
	b = protowire.AppendBytes(b, g)
	var ops []byte
	ops = appendString(ops, 1, "")
	ops = protowire.AppendTag(ops, 2, protowire.VarintType)
	ops = protowire.AppendVarint(ops, 12)
	b = protowire.AppendTag(b, 8, protowire.BytesType)
	b = protowire.AppendBytes(b, ops)
	return b, c.stats, nil
}

// conv holds the state of one conversion.
type conv struct {
	m     *onnx.Model
	g     *onnx.Graph
	nodes [][]byte
	inits [][]byte
	stats Stats
	alias map[string]string // tensor name → the float tensor that stands for it
	seen  map[string]bool   // integer initializers already copied
	n     int
}

// name returns the float tensor that stands for the quantized tensor t.
func (c *conv) name(t string) string {
	if a, ok := c.alias[t]; ok {
		return a
	}
	return strings.TrimSuffix(t, "_quantized")
}

func (c *conv) init(name string) (*onnx.Tensor, error) {
	t := c.g.Initializers[name]
	if t == nil {
		return nil, fmt.Errorf("%q is not an initializer", name)
	}
	return t, nil
}

// floats returns a float initializer's values.
func (c *conv) floats(name string) ([]float32, error) {
	t, err := c.init(name)
	if err != nil {
		return nil, err
	}
	if t.F32 == nil {
		return nil, fmt.Errorf("%q is %v, want float32", name, t.DataType)
	}
	return t.F32, nil
}

// zeroPoints returns an integer initializer's values, widened.
func (c *conv) zeroPoints(name string) ([]int64, error) {
	t, err := c.init(name)
	if err != nil {
		return nil, err
	}
	out := make([]int64, t.Len())
	for i := range out {
		out[i] = t.Int(i)
	}
	return out, nil
}

// dequant returns (q−zp)·scale for the integer initializer q, with scale and
// zp either scalars or one value per index of axis.
func (c *conv) dequant(qName, sName, zName string, axis int) ([]float32, []int64, error) {
	q, err := c.init(qName)
	if err != nil {
		return nil, nil, err
	}
	s, err := c.floats(sName)
	if err != nil {
		return nil, nil, err
	}
	z, err := c.zeroPoints(zName)
	if err != nil {
		return nil, nil, err
	}
	n := q.Len()
	// stride and size of axis, to find each element's channel.
	inner, size := 1, 1
	for i, d := range q.Dims {
		if i == axis {
			size = int(d)
		} else if i > axis {
			inner *= int(d)
		}
	}
	pick := func(v int, i int) int {
		if v == 1 {
			return 0
		}
		return (i / inner) % size
	}
	if (len(s) != 1 && len(s) != size) || (len(z) != 1 && len(z) != size) {
		return nil, nil, fmt.Errorf("%s: %d scales and %d zero points for %d channels", qName, len(s), len(z), size)
	}
	out := make([]float32, n)
	for i := range out {
		out[i] = float32(q.Int(i)-z[pick(len(z), i)]) * s[pick(len(s), i)]
	}
	return out, q.Dims, nil
}

// addNode appends a node and counts it.
func (c *conv) addNode(op string, inputs, outputs []string, attrs ...[]byte) {
	c.n++
	var b []byte
	for _, s := range inputs {
		b = appendString(b, 1, s)
	}
	for _, s := range outputs {
		b = appendString(b, 2, s)
	}
	b = appendString(b, 3, fmt.Sprintf("%s_%d", op, c.n))
	b = appendString(b, 4, op)
	for _, a := range attrs {
		b = protowire.AppendTag(b, 5, protowire.BytesType)
		b = protowire.AppendBytes(b, a)
	}
	c.nodes = append(c.nodes, b)
	c.stats[op]++
}

// constant makes sure the float tensor for input name exists: an integer
// initializer is dequantized with its scale and zero point, which are
// scalars or per index of its last axis (QLinearMatMul's per-column B).
func (c *conv) constant(name, sName, zName string) (string, error) {
	t := c.g.Initializers[name]
	if t == nil {
		return c.name(name), nil
	}
	v, dims, err := c.dequant(name, sName, zName, max(len(t.Dims)-1, 0))
	if err != nil {
		return "", err
	}
	f := c.name(name) + "_f32"
	c.inits = append(c.inits, tensorF32(f, dims, v))
	return f, nil
}

func (c *conv) node(nd onnx.Node) error {
	in := func(i int) string {
		if i < len(nd.Inputs) {
			return nd.Inputs[i]
		}
		return ""
	}
	switch nd.OpType {
	case "QuantizeLinear":
		if in(0) != c.g.Inputs[0] {
			return fmt.Errorf("quantizes %q, not the graph input", in(0))
		}
		c.alias[nd.Outputs[0]] = in(0)
	case "DequantizeLinear":
		if from, to := c.name(in(0)), nd.Outputs[0]; from != to {
			c.addNode("Identity", []string{from}, []string{to})
		}
	case "QLinearConv":
		return c.qconv(nd, in)
	case "QLinearAdd":
		a, err := c.constant(in(0), in(1), in(2))
		if err != nil {
			return err
		}
		b, err := c.constant(in(3), in(4), in(5))
		if err != nil {
			return err
		}
		c.addNode("Add", []string{a, b}, []string{c.name(nd.Outputs[0])})
	case "QLinearGlobalAveragePool":
		if a, ok := nd.Attrs["channels_last"]; ok && a.I != 0 {
			return errors.New("channels_last pooling")
		}
		c.addNode("GlobalAveragePool", []string{c.name(in(0))}, []string{c.name(nd.Outputs[0])})
	case "QLinearMatMul":
		a, err := c.constant(in(0), in(1), in(2))
		if err != nil {
			return err
		}
		b, err := c.constant(in(3), in(4), in(5))
		if err != nil {
			return err
		}
		c.addNode("MatMul", []string{a, b}, []string{c.name(nd.Outputs[0])})
	case "Shape", "Gather", "Unsqueeze", "Concat", "Reshape":
		var ins []string
		for _, s := range nd.Inputs {
			if t := c.g.Initializers[s]; t != nil {
				if t.I64 == nil {
					return fmt.Errorf("initializer %q is %v, want int64", s, t.DataType)
				}
				if !c.seen[s] {
					c.seen[s] = true
					c.inits = append(c.inits, tensorI64(s, t.Dims, t.I64))
				}
				ins = append(ins, s)
				continue
			}
			ins = append(ins, c.name(s))
		}
		var attrs [][]byte
		for k, a := range nd.Attrs {
			switch k {
			case "axis":
				attrs = append(attrs, attrInt(k, a.I))
			case "axes":
				attrs = append(attrs, attrInts(k, a.Ints))
			default:
				return fmt.Errorf("attribute %q", k)
			}
		}
		c.addNode(nd.OpType, ins, []string{c.name(nd.Outputs[0])}, attrs...)
	default:
		return errors.New("op type not handled")
	}
	return nil
}

// qconv writes Conv (and Clip for ReLU6) for one QLinearConv:
// inputs x, x_scale, x_zp, w, w_scale, w_zp, y_scale, y_zp, bias.
func (c *conv) qconv(nd onnx.Node, in func(int) string) error {
	xs, err := c.floats(in(1))
	if err != nil {
		return err
	}
	if len(xs) != 1 {
		return errors.New("per-channel input scale")
	}
	w, dims, err := c.dequant(in(3), in(4), in(5), 0)
	if err != nil {
		return err
	}
	ws, err := c.floats(in(4))
	if err != nil {
		return err
	}
	wName := c.name(in(3)) + "_f32"
	c.inits = append(c.inits, tensorF32(wName, dims, w))
	inputs := []string{c.name(in(0)), wName}
	if in(8) != "" {
		bq, err := c.init(in(8))
		if err != nil {
			return err
		}
		if bq.I32 == nil || bq.Len() != int(dims[0]) {
			return fmt.Errorf("bias %q is not int32[%d]", in(8), dims[0])
		}
		b := make([]float32, bq.Len())
		for m := range b {
			s := ws[0]
			if len(ws) > 1 {
				s = ws[m]
			}
			// ONNX QLinearConv: the bias is int32 with scale x_scale·w_scale[m].
			b[m] = float32(float64(bq.I32[m]) * float64(xs[0]) * float64(s))
		}
		bName := c.name(in(8)) + "_f32"
		c.inits = append(c.inits, tensorF32(bName, []int64{int64(len(b))}, b))
		inputs = append(inputs, bName)
	}
	yz, err := c.zeroPoints(in(7))
	if err != nil {
		return err
	}
	var attrs [][]byte
	for _, k := range []string{"dilations", "kernel_shape", "pads", "strides"} {
		if a, ok := nd.Attrs[k]; ok {
			attrs = append(attrs, attrInts(k, a.Ints))
		}
	}
	if a, ok := nd.Attrs["group"]; ok {
		attrs = append(attrs, attrInt("group", a.I))
	}
	out := c.name(nd.Outputs[0])
	if len(yz) == 1 && yz[0] == 0 {
		pre := out + "_preclip"
		c.addNode("Conv", inputs, []string{pre}, attrs...)
		c.addNode("Clip", []string{pre, "clip_min", "clip_max"}, []string{out})
		return nil
	}
	c.addNode("Conv", inputs, []string{out}, attrs...)
	return nil
}

// ONNX protobuf field numbers used below (onnx.proto3): TensorProto dims 1,
// data_type 2, name 8, raw_data 9; AttributeProto name 1, i 3, ints 8,
// type 20; ValueInfoProto name 1, type 2; TypeProto tensor_type 1;
// TypeProto.Tensor elem_type 1, shape 2; TensorShapeProto dim 1;
// Dimension dim_value 1.

func appendString(b []byte, num protowire.Number, s string) []byte {
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendString(b, s)
}

func tensorHeader(name string, dims []int64, dt onnx.DataType) []byte {
	var b []byte
	for _, d := range dims {
		b = protowire.AppendTag(b, 1, protowire.VarintType)
		b = protowire.AppendVarint(b, uint64(d))
	}
	b = protowire.AppendTag(b, 2, protowire.VarintType)
	b = protowire.AppendVarint(b, uint64(dt))
	return appendString(b, 8, name)
}

func tensorF32(name string, dims []int64, v []float32) []byte {
	b := tensorHeader(name, dims, onnx.Float)
	raw := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(raw[4*i:], math.Float32bits(x))
	}
	b = protowire.AppendTag(b, 9, protowire.BytesType)
	return protowire.AppendBytes(b, raw)
}

func tensorI64(name string, dims []int64, v []int64) []byte {
	b := tensorHeader(name, dims, onnx.Int64)
	raw := make([]byte, 8*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint64(raw[8*i:], uint64(x))
	}
	b = protowire.AppendTag(b, 9, protowire.BytesType)
	return protowire.AppendBytes(b, raw)
}

const (
	attrTypeInt  = 2 // AttributeProto.INT
	attrTypeInts = 7 // AttributeProto.INTS
)

func attrInt(name string, v int64) []byte {
	b := appendString(nil, 1, name)
	b = protowire.AppendTag(b, 3, protowire.VarintType)
	b = protowire.AppendVarint(b, uint64(v))
	b = protowire.AppendTag(b, 20, protowire.VarintType)
	return protowire.AppendVarint(b, attrTypeInt)
}

func attrInts(name string, v []int64) []byte {
	b := appendString(nil, 1, name)
	for _, x := range v {
		b = protowire.AppendTag(b, 8, protowire.VarintType)
		b = protowire.AppendVarint(b, uint64(x))
	}
	b = protowire.AppendTag(b, 20, protowire.VarintType)
	return protowire.AppendVarint(b, attrTypeInts)
}

func valueInfo(name string, dims []int64) []byte {
	var shape []byte
	for _, d := range dims {
		var dim []byte
		dim = protowire.AppendTag(dim, 1, protowire.VarintType)
		dim = protowire.AppendVarint(dim, uint64(d))
		shape = protowire.AppendTag(shape, 1, protowire.BytesType)
		shape = protowire.AppendBytes(shape, dim)
	}
	var tt []byte
	tt = protowire.AppendTag(tt, 1, protowire.VarintType)
	tt = protowire.AppendVarint(tt, uint64(onnx.Float))
	tt = protowire.AppendTag(tt, 2, protowire.BytesType)
	tt = protowire.AppendBytes(tt, shape)
	var typ []byte
	typ = protowire.AppendTag(typ, 1, protowire.BytesType)
	typ = protowire.AppendBytes(typ, tt)
	b := appendString(nil, 1, name)
	b = protowire.AppendTag(b, 2, protowire.BytesType)
	return protowire.AppendBytes(b, typ)
}
