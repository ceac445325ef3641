package mobilenet

import (
	"errors"
	"fmt"

	"posterity/model/kernels"
	"posterity/model/onnx"
)

// ErrGraph is wrapped by every error about an ONNX graph this engine does
// not implement.
var ErrGraph = errors.New("mobilenet: unsupported graph")

// shapeOnly lists ops that only compute the classifier's Reshape target;
// with fixed shapes they carry no data and are skipped.
var shapeOnly = map[string]bool{"Shape": true, "Gather": true, "Unsqueeze": true, "Concat": true}

// Convert builds a Net from the decoded ONNX model. sha256 is the hex
// checksum of the ONNX file, recorded in the Net and the weight file.
func Convert(m *onnx.Model, sha256 string) (*Net, error) {
	c := converter{m: m, g: &m.Graph, names: map[string]int{}, net: &Net{SourceSHA256: sha256, Feature: -1, Logits: -1}}
	for _, nd := range c.g.Nodes {
		if err := c.node(nd); err != nil {
			return nil, fmt.Errorf("%w: node %s (%s): %v", ErrGraph, nd.Name, nd.OpType, err)
		}
	}
	n := c.net
	n.Feature = n.TensorIndex("627_quantized")
	if n.Logits < 0 {
		return nil, fmt.Errorf("%w: no DequantizeLinear of the output", ErrGraph)
	}
	if err := n.validate(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrGraph, err)
	}
	n.prepare(n.Ops)
	return n, nil
}

type converter struct {
	m     *onnx.Model
	g     *onnx.Graph
	names map[string]int // tensor name → index
	net   *Net
}

func (c *converter) init(name string) (*onnx.Tensor, error) {
	t := c.g.Initializers[name]
	if t == nil {
		return nil, fmt.Errorf("input %q is not a constant", name)
	}
	return t, nil
}

func (c *converter) scalarF32(name string) (float32, error) {
	t, err := c.init(name)
	if err != nil {
		return 0, err
	}
	if t.DataType != onnx.Float || len(t.F32) != 1 {
		return 0, fmt.Errorf("%q is %v %v, want a float32 scalar", name, t.DataType, t.Dims)
	}
	return t.F32[0], nil
}

func (c *converter) scalarZP(name string) (int32, error) {
	t, err := c.init(name)
	if err != nil {
		return 0, err
	}
	if t.DataType != onnx.Uint8 || len(t.U8) != 1 {
		return 0, fmt.Errorf("%q is %v %v, want a uint8 scalar", name, t.DataType, t.Dims)
	}
	return int32(t.U8[0]), nil
}

// activation looks up an existing tensor and checks that the node reads it
// with the scale and zero point it was written with.
func (c *converter) activation(name, scaleName, zpName string) (int, error) {
	i, ok := c.names[name]
	if !ok {
		return 0, fmt.Errorf("input %q is not computed before it is used", name)
	}
	s, err := c.scalarF32(scaleName)
	if err != nil {
		return 0, err
	}
	zp, err := c.scalarZP(zpName)
	if err != nil {
		return 0, err
	}
	t := c.net.Tensors[i]
	if s != t.Scale || zp != t.ZP {
		return 0, fmt.Errorf("reads %q with scale %v zp %d, written with %v and %d", name, s, zp, t.Scale, t.ZP)
	}
	return i, nil
}

func (c *converter) output(name string, h, w, ch int, scaleName, zpName string) (int, error) {
	s, err := c.scalarF32(scaleName)
	if err != nil {
		return 0, err
	}
	zp, err := c.scalarZP(zpName)
	if err != nil {
		return 0, err
	}
	if _, dup := c.names[name]; dup {
		return 0, fmt.Errorf("tensor %q written twice", name)
	}
	c.net.Tensors = append(c.net.Tensors, Tensor{Name: name, H: h, W: w, C: ch, Scale: s, ZP: zp})
	i := len(c.net.Tensors) - 1
	c.names[name] = i
	return i, nil
}

func (c *converter) node(nd onnx.Node) error {
	in := func(k int) string {
		if k < len(nd.Inputs) {
			return nd.Inputs[k]
		}
		return ""
	}
	switch {
	case nd.OpType == "QuantizeLinear" && nd.Domain == "":
		if len(c.net.Tensors) != 0 || in(0) != c.g.Inputs[0] {
			return fmt.Errorf("expected only on the graph input")
		}
		s, err := c.scalarF32(in(1))
		if err != nil {
			return err
		}
		zp, err := c.scalarZP(in(2))
		if err != nil {
			return err
		}
		c.net.InScale, c.net.InZP = s, zp
		_, err = c.output(nd.Outputs[0], InputSize, InputSize, 3, in(1), in(2))
		return err
	case nd.OpType == "QLinearConv" && nd.Domain == "":
		return c.conv(nd, in)
	case nd.OpType == "QLinearMatMul" && nd.Domain == "":
		return c.matmul(nd, in)
	case nd.OpType == "QLinearAdd" && nd.Domain == "com.microsoft":
		return c.add(nd, in)
	case nd.OpType == "QLinearGlobalAveragePool" && nd.Domain == "com.microsoft":
		if a := nd.Attrs["channels_last"]; a.I != 0 {
			return fmt.Errorf("channels_last=%d", a.I)
		}
		x, err := c.activation(in(0), in(1), in(2))
		if err != nil {
			return err
		}
		out, err := c.output(nd.Outputs[0], 1, 1, c.net.Tensors[x].C, in(3), in(4))
		if err != nil {
			return err
		}
		c.net.Ops = append(c.net.Ops, Op{Kind: OpPool, Name: nd.Name, In: x, Out: out})
		return nil
	case nd.OpType == "Reshape" && nd.Domain == "":
		// 464_quantized [1,1280,1,1] → [1,1280]: the same bytes.
		x, ok := c.names[in(0)]
		if !ok {
			return fmt.Errorf("reshape of unknown %q", in(0))
		}
		c.names[nd.Outputs[0]] = x
		return nil
	case nd.OpType == "DequantizeLinear" && nd.Domain == "":
		if len(c.g.Outputs) == 0 || nd.Outputs[0] != c.g.Outputs[0] {
			return nil // 627's dequantization only feeds the shape arithmetic
		}
		x, err := c.activation(in(0), in(1), in(2))
		if err != nil {
			return err
		}
		c.net.Logits = x
		c.net.OutScale = c.net.Tensors[x].Scale
		c.net.OutZP = c.net.Tensors[x].ZP
		return nil
	case shapeOnly[nd.OpType] && nd.Domain == "":
		return nil
	}
	return fmt.Errorf("op %s%s is not implemented by this engine", map[bool]string{true: nd.Domain + "::"}[nd.Domain != ""], nd.OpType)
}

// weightScales returns one scale per output channel (broadcasting a
// per-tensor scale) and checks that every weight zero point is 0: the
// kernels assume symmetric weights.
func (c *converter) weightScales(scaleName, zpName string, m int) ([]float32, error) {
	st, err := c.init(scaleName)
	if err != nil {
		return nil, err
	}
	if st.DataType != onnx.Float || (len(st.F32) != 1 && len(st.F32) != m) {
		return nil, fmt.Errorf("weight scale %q is %v %v for %d channels", scaleName, st.DataType, st.Dims, m)
	}
	zt, err := c.init(zpName)
	if err != nil {
		return nil, err
	}
	for i := 0; i < zt.Len(); i++ {
		if zt.Int(i) != 0 {
			return nil, fmt.Errorf("weight zero point %q[%d] = %d, want 0 (symmetric weights)", zpName, i, zt.Int(i))
		}
	}
	s := make([]float32, m)
	for i := range s {
		s[i] = st.F32[min(i, len(st.F32)-1)]
	}
	return s, nil
}

func attrInts(nd onnx.Node, name string, def []int64) []int64 {
	if a, ok := nd.Attrs[name]; ok && len(a.Ints) > 0 {
		return a.Ints
	}
	return def
}

func allEqual(v []int64, x int64) bool {
	for _, e := range v {
		if e != x {
			return false
		}
	}
	return true
}

func (c *converter) conv(nd onnx.Node, in func(int) string) error {
	x, err := c.activation(in(0), in(1), in(2))
	if err != nil {
		return err
	}
	xt := c.net.Tensors[x]
	wt, err := c.init(in(3))
	if err != nil {
		return err
	}
	if wt.DataType != onnx.Int8 || len(wt.Dims) != 4 {
		return fmt.Errorf("weights %q are %v %v, want int8 [M,C/group,kh,kw]", in(3), wt.DataType, wt.Dims)
	}
	M, cg, kh, kw := int(wt.Dims[0]), int(wt.Dims[1]), int(wt.Dims[2]), int(wt.Dims[3])
	group := int64(1)
	if a, ok := nd.Attrs["group"]; ok {
		group = a.I
	}
	strides := attrInts(nd, "strides", []int64{1, 1})
	pads := attrInts(nd, "pads", []int64{0, 0, 0, 0})
	if !allEqual(attrInts(nd, "dilations", []int64{1, 1}), 1) || len(strides) != 2 || strides[0] != strides[1] || len(pads) != 4 {
		return fmt.Errorf("dilations/strides/pads %v/%v/%v not supported", nd.Attrs["dilations"].Ints, strides, pads)
	}
	k := &kernels.Conv{K: xt.C, M: M, Stride: int(strides[0]), XZP: xt.ZP}
	switch {
	case kh == 1 && kw == 1 && group == 1 && cg == xt.C && k.Stride == 1 && allEqual(pads, 0):
		k.Kind = kernels.Pointwise
		k.W = append([]int8(nil), wt.I8...) // ONNX [M][C][1][1] is already W[M][K]
	case kh == 3 && kw == 3 && group == int64(xt.C) && cg == 1 && M == xt.C && allEqual(pads, 1):
		k.Kind = kernels.Depthwise
		k.W = make([]int8, 9*M)
		for m := 0; m < M; m++ {
			for t := 0; t < 9; t++ {
				k.W[t*M+m] = wt.I8[m*9+t]
			}
		}
	case kh == 3 && kw == 3 && group == 1 && cg == xt.C && allEqual(pads, 1):
		k.Kind = kernels.Full3x3
		K := xt.C
		k.W = make([]int8, 9*K*M)
		for m := 0; m < M; m++ {
			for ch := 0; ch < K; ch++ {
				for t := 0; t < 9; t++ {
					k.W[m*9*K+t*K+ch] = wt.I8[((m*K)+ch)*9+t]
				}
			}
		}
	default:
		return fmt.Errorf("conv %dx%d group %d on %d channels (weights %v, pads %v, stride %d) is not supported",
			kh, kw, group, xt.C, wt.Dims, pads, k.Stride)
	}
	ws, err := c.weightScales(in(4), in(5), M)
	if err != nil {
		return err
	}
	ys, err := c.scalarF32(in(6))
	if err != nil {
		return err
	}
	k.Mult = make([]float32, M)
	for m := range k.Mult {
		k.Mult[m] = kernels.Multiplier(xt.Scale, ws[m], ys)
	}
	k.Bias = make([]int32, M)
	if in(8) != "" {
		bt, err := c.init(in(8))
		if err != nil {
			return err
		}
		if bt.DataType != onnx.Int32 || len(bt.I32) != M {
			return fmt.Errorf("bias %q is %v %v for %d channels", in(8), bt.DataType, bt.Dims, M)
		}
		copy(k.Bias, bt.I32)
	}
	oh, ow := k.OutSize(xt.H, xt.W)
	out, err := c.output(nd.Outputs[0], oh, ow, M, in(6), in(7))
	if err != nil {
		return err
	}
	k.YZP = c.net.Tensors[out].ZP
	c.net.Ops = append(c.net.Ops, Op{Kind: OpConv, Name: nd.Name, In: x, Out: out, Conv: k})
	return nil
}

// matmul turns QLinearMatMul [1,K]·[K,M] into a 1×1 conv on a 1×1 map,
// with the weights transposed to the pointwise layout W[M][K].
func (c *converter) matmul(nd onnx.Node, in func(int) string) error {
	x, err := c.activation(in(0), in(1), in(2))
	if err != nil {
		return err
	}
	xt := c.net.Tensors[x]
	bt, err := c.init(in(3))
	if err != nil {
		return err
	}
	if bt.DataType != onnx.Int8 || len(bt.Dims) != 2 || int(bt.Dims[0]) != xt.Len() {
		return fmt.Errorf("weights %q are %v %v for %d inputs", in(3), bt.DataType, bt.Dims, xt.Len())
	}
	K, M := int(bt.Dims[0]), int(bt.Dims[1])
	ws, err := c.weightScales(in(4), in(5), M)
	if err != nil {
		return err
	}
	ys, err := c.scalarF32(in(6))
	if err != nil {
		return err
	}
	k := &kernels.Conv{Kind: kernels.Pointwise, K: K, M: M, Stride: 1, XZP: xt.ZP,
		W: make([]int8, K*M), Bias: make([]int32, M), Mult: make([]float32, M)}
	for kk := 0; kk < K; kk++ {
		for m := 0; m < M; m++ {
			k.W[m*K+kk] = bt.I8[kk*M+m]
		}
	}
	for m := range k.Mult {
		k.Mult[m] = kernels.Multiplier(xt.Scale, ws[m], ys)
	}
	out, err := c.output(nd.Outputs[0], 1, 1, M, in(6), in(7))
	if err != nil {
		return err
	}
	k.YZP = c.net.Tensors[out].ZP
	// The conv sees the pooled vector as a 1×1×K map.
	if xt.H*xt.W != 1 {
		return fmt.Errorf("matmul input %q is %d×%d×%d, want 1×1×K", xt.Name, xt.H, xt.W, xt.C)
	}
	c.net.Ops = append(c.net.Ops, Op{Kind: OpConv, Name: nd.Name, In: x, Out: out, Conv: k})
	return nil
}

func (c *converter) add(nd onnx.Node, in func(int) string) error {
	a, err := c.activation(in(0), in(1), in(2))
	if err != nil {
		return err
	}
	at := c.net.Tensors[a]
	sb, err := c.scalarF32(in(4))
	if err != nil {
		return err
	}
	zb, err := c.scalarZP(in(5))
	if err != nil {
		return err
	}
	sc, err := c.scalarF32(in(6))
	if err != nil {
		return err
	}
	zc, err := c.scalarZP(in(7))
	if err != nil {
		return err
	}
	op := Op{Name: nd.Name, In: a, Add: kernels.NewAddParams(at.Scale, at.ZP, sb, zb, sc, zc)}
	if bt, isConst := c.g.Initializers[in(3)]; isConst {
		if bt.DataType != onnx.Uint8 || bt.Len() != at.Len() {
			return fmt.Errorf("constant %q is %v %v for %d values", in(3), bt.DataType, bt.Dims, at.Len())
		}
		op.Kind, op.Const = OpAddConst, append([]uint8(nil), bt.U8...)
	} else {
		b, err := c.activation(in(3), in(4), in(5))
		if err != nil {
			return err
		}
		op.Kind, op.In2 = OpAdd, b
	}
	out, err := c.output(nd.Outputs[0], at.H, at.W, at.C, in(6), in(7))
	if err != nil {
		return err
	}
	op.Out = out
	c.net.Ops = append(c.net.Ops, op)
	return nil
}
