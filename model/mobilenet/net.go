package mobilenet

import (
	"fmt"

	"posterity/model/kernels"
)

// Sizes of the backbone's input and feature map.
const (
	InputSize   = 224  // input height and width
	FeatureDim  = 1280 // channels of the last conv, the feature length
	FeatureGrid = 7    // height and width of the last conv's map
	NumClasses  = 1000 // ImageNet classes
)

// Tensor describes one uint8 activation: NHWC shape and quantization.
type Tensor struct {
	Name    string
	H, W, C int
	Scale   float32
	ZP      int32
}

// Len returns H·W·C.
func (t Tensor) Len() int { return t.H * t.W * t.C }

// OpKind says what an Op computes.
type OpKind uint8

// The operations of the converted graph.
const (
	OpConv     OpKind = iota + 1 // QLinearConv, or QLinearMatMul as a 1×1 conv on a 1×1 map
	OpAdd                        // QLinearAdd of two activations
	OpAddConst                   // QLinearAdd of an activation and a constant (the classifier bias)
	OpPool                       // QLinearGlobalAveragePool
)

// Op is one node of the converted graph.
type Op struct {
	Kind    OpKind
	Name    string // the ONNX node name
	In, In2 int    // tensor indices (In2 for OpAdd only)
	Out     int
	Conv    *kernels.Conv     // OpConv
	Add     kernels.AddParams // OpAdd, OpAddConst
	Const   []uint8           // OpAddConst: the constant operand
}

// Net is the converted backbone: the whole network after Convert, or the
// part up to the feature map after Decode, to which AttachImageNet adds the
// ImageNet classifier (the ops after the feature map). It is immutable once
// built or loaded and may be shared by any number of Engines.
type Net struct {
	SourceSHA256 string // hex sha256 of the ONNX file it came from
	InScale      float32
	InZP         int32
	Tensors      []Tensor // Tensors[0] is the quantized input
	Ops          []Op
	Feature      int     // index of the 7×7×1280 map (627_quantized)
	Logits       int     // index of output_quantized; -1 without the ImageNet classifier
	OutScale     float32 // DequantizeLinear of the output
	OutZP        int32
}

// TensorIndex returns the index of the named tensor, or -1.
func (n *Net) TensorIndex(name string) int {
	for i, t := range n.Tensors {
		if t.Name == name {
			return i
		}
	}
	return -1
}

// featureOps is the number of ops up to and including the one producing
// the feature map: a feature pass stops there.
func (n *Net) featureOps() int {
	for i, op := range n.Ops {
		if op.Out == n.Feature {
			return i + 1
		}
	}
	return len(n.Ops)
}

// validate checks the invariants the engine relies on; Convert and Load
// both end with it, so a hand-edited file cannot index out of range.
func (n *Net) validate() error {
	if len(n.Tensors) == 0 {
		return fmt.Errorf("no tensors")
	}
	in := n.Tensors[0]
	if in.H != InputSize || in.W != InputSize || in.C != 3 {
		return fmt.Errorf("input is %d×%d×%d, want %d×%d×3", in.H, in.W, in.C, InputSize, InputSize)
	}
	idx := func(i int) bool { return i >= 0 && i < len(n.Tensors) }
	if !idx(n.Feature) || !(idx(n.Logits) || n.Logits == -1) {
		return fmt.Errorf("feature or logits tensor out of range")
	}
	if f := n.Tensors[n.Feature]; f.H != FeatureGrid || f.W != FeatureGrid || f.C != FeatureDim {
		return fmt.Errorf("feature map is %d×%d×%d, want %d×%d×%d", f.H, f.W, f.C, FeatureGrid, FeatureGrid, FeatureDim)
	}
	if n.HasImageNet() {
		if l := n.Tensors[n.Logits]; l.Len() != NumClasses {
			return fmt.Errorf("logits have %d values, want %d", l.Len(), NumClasses)
		}
	}
	produced := make([]bool, len(n.Tensors))
	produced[0] = true
	for i, op := range n.Ops {
		if !idx(op.In) || !idx(op.Out) || !produced[op.In] || produced[op.Out] {
			return fmt.Errorf("op %d (%s): bad tensor indices", i, op.Name)
		}
		in, out := n.Tensors[op.In], n.Tensors[op.Out]
		switch op.Kind {
		case OpConv:
			c := op.Conv
			if c == nil {
				return fmt.Errorf("op %d (%s): conv without weights", i, op.Name)
			}
			if err := c.Validate(); err != nil {
				return fmt.Errorf("op %d (%s): %w", i, op.Name, err)
			}
			oh, ow := c.OutSize(in.H, in.W)
			if c.K != in.C || c.M != out.C || oh != out.H || ow != out.W {
				return fmt.Errorf("op %d (%s): %v conv %d→%d does not map %d×%d×%d to %d×%d×%d",
					i, op.Name, c.Kind, c.K, c.M, in.H, in.W, in.C, out.H, out.W, out.C)
			}
		case OpAdd:
			if !idx(op.In2) || !produced[op.In2] || n.Tensors[op.In2].Len() != in.Len() || out.Len() != in.Len() {
				return fmt.Errorf("op %d (%s): add of mismatched tensors", i, op.Name)
			}
		case OpAddConst:
			if len(op.Const) != in.Len() || out.Len() != in.Len() {
				return fmt.Errorf("op %d (%s): constant of %d values for %d", i, op.Name, len(op.Const), in.Len())
			}
		case OpPool:
			if out.H != 1 || out.W != 1 || out.C != in.C {
				return fmt.Errorf("op %d (%s): pool output %d×%d×%d", i, op.Name, out.H, out.W, out.C)
			}
		default:
			return fmt.Errorf("op %d (%s): unknown kind %d", i, op.Name, op.Kind)
		}
		produced[op.Out] = true
	}
	if !produced[n.Feature] || (n.HasImageNet() && !produced[n.Logits]) {
		return fmt.Errorf("feature or logits tensor never computed")
	}
	return nil
}

// prepare builds the kernels' packed weight layouts of ops.
func (n *Net) prepare(ops []Op) {
	for _, op := range ops {
		if op.Conv != nil {
			op.Conv.Prepare()
		}
	}
}
