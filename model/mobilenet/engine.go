package mobilenet

import (
	"fmt"

	"posterity/model/kernels"
)

// InputLen is the length of the normalized NCHW float32 input.
const InputLen = 3 * InputSize * InputSize

// Engine runs the Net on one image at a time. It owns every activation
// buffer, allocated once, so thousands of images run in steady memory. An
// Engine must not be used by two goroutines at once; make one per worker.
type Engine struct {
	net     *Net
	act     [][]uint8
	scratch kernels.Scratch
	ref     bool
}

// NewEngine returns an Engine that uses the optimised kernels of this
// build.
func (n *Net) NewEngine() *Engine {
	e := &Engine{net: n, act: make([][]uint8, len(n.Tensors))}
	for i, t := range n.Tensors {
		e.act[i] = make([]uint8, t.Len())
	}
	return e
}

// NewReferenceEngine returns an Engine that uses only the plain-Go
// reference kernels: the baseline the optimised ones are tested against.
func (n *Net) NewReferenceEngine() *Engine {
	e := n.NewEngine()
	e.ref = true
	return e
}

// Net returns the network the Engine runs.
func (e *Engine) Net() *Net { return e.net }

// Extend moves the Engine to n, a Net that begins with the Engine's own
// (AttachImageNet's result for it), keeping the activation buffers it has
// and allocating only the new tensors'. The activations of the last pass
// stay, so the ops n adds can run on the feature map that pass left.
func (e *Engine) Extend(n *Net) error {
	old := e.net
	if len(n.Tensors) < len(old.Tensors) || len(n.Ops) < len(old.Ops) {
		return fmt.Errorf("mobilenet: Extend: the new network is smaller than the engine's")
	}
	for i, t := range old.Tensors {
		if n.Tensors[i] != t {
			return fmt.Errorf("mobilenet: Extend: tensor %d (%s) differs", i, t.Name)
		}
	}
	for i, op := range old.Ops {
		if n.Ops[i].Conv != op.Conv || n.Ops[i].Out != op.Out || n.Ops[i].Kind != op.Kind {
			return fmt.Errorf("mobilenet: Extend: op %d (%s) differs", i, op.Name)
		}
	}
	for _, t := range n.Tensors[len(old.Tensors):] {
		e.act = append(e.act, make([]uint8, t.Len()))
	}
	e.net = n
	return nil
}

func checkInput(input []float32) error {
	if len(input) != InputLen {
		return fmt.Errorf("mobilenet: input has %d values, want %d (3×%d×%d NCHW)", len(input), InputLen, InputSize, InputSize)
	}
	return nil
}

// run quantizes input and executes the first nops ops.
func (e *Engine) run(input []float32, nops int) {
	n := e.net
	if e.ref {
		kernels.QuantizeRef(e.act[0], input, 3, InputSize, InputSize, n.InScale, n.InZP)
	} else {
		kernels.Quantize(e.act[0], input, 3, InputSize, InputSize, n.InScale, n.InZP)
	}
	for _, op := range n.Ops[:nops] {
		e.exec(op)
	}
}

func (e *Engine) exec(op Op) {
	n := e.net
	in, out := e.act[op.In], e.act[op.Out]
	switch op.Kind {
	case OpConv:
		t := n.Tensors[op.In]
		if e.ref {
			op.Conv.RunRef(out, in, t.H, t.W)
		} else {
			op.Conv.Run(out, in, t.H, t.W, &e.scratch)
		}
	case OpAdd, OpAddConst:
		b := op.Const
		if op.Kind == OpAdd {
			b = e.act[op.In2]
		}
		if e.ref {
			kernels.AddRef(out, in, b, op.Add)
		} else {
			kernels.Add(out, in, b, op.Add)
		}
	case OpPool:
		t, o := n.Tensors[op.In], n.Tensors[op.Out]
		kernels.GlobalAvgPoolRef(out, in, t.H*t.W, t.C, t.Scale, t.ZP, o.Scale, o.ZP)
	}
}

// Features computes the 1280-d feature of one normalized input into feat
// (len FeatureDim): for each channel c, the float mean over the 7×7 grid
// of the dequantized Conv_95 output, (scale·Σ(q−zp))/49 in float64, then
// rounded to float32. It returns the 7×7×1280 uint8 map (NHWC, owned by the
// Engine and overwritten by the next call); Map dequantizes it.
func (e *Engine) Features(input []float32, feat []float32) ([]uint8, error) {
	if err := checkInput(input); err != nil {
		return nil, err
	}
	if len(feat) != FeatureDim {
		return nil, fmt.Errorf("mobilenet: feature buffer has %d values, want %d", len(feat), FeatureDim)
	}
	e.run(input, e.net.featureOps())
	m := e.act[e.net.Feature]
	meanOfMap(feat, m, e.net.Tensors[e.net.Feature])
	return m, nil
}

func meanOfMap(feat []float32, m []uint8, t Tensor) {
	P, C := t.H*t.W, t.C
	scale := float64(t.Scale)
	for c := 0; c < C; c++ {
		var s int32
		for p := 0; p < P; p++ {
			s += int32(m[p*C+c]) - t.ZP
		}
		feat[c] = float32(scale * float64(s) / float64(P))
	}
}

// FeatureMapScale returns the scale and zero point of the feature map
// returned by Features: value = scale·(q − zp).
func (n *Net) FeatureMapScale() (float32, int32) {
	t := n.Tensors[n.Feature]
	return t.Scale, t.ZP
}

// Logits computes the 1000 ImageNet logits of one normalized input into
// dst: DequantizeLinear of output_quantized, float32(q−zp)·scale. The Net
// needs its ImageNet classifier (AttachImageNet), else ErrNoImageNet.
func (e *Engine) Logits(input []float32, dst []float32) error {
	if !e.net.HasImageNet() {
		return ErrNoImageNet
	}
	if err := checkInput(input); err != nil {
		return err
	}
	if len(dst) != NumClasses {
		return fmt.Errorf("mobilenet: logits buffer has %d values, want %d", len(dst), NumClasses)
	}
	e.run(input, len(e.net.Ops))
	q := e.act[e.net.Logits]
	for i, v := range q {
		dst[i] = float32(int32(v)-e.net.OutZP) * e.net.OutScale
	}
	return nil
}

// Tensor returns the current contents of the named activation (uint8
// NHWC) after the last call, for tests and debugging.
func (e *Engine) Tensor(name string) ([]uint8, Tensor, bool) {
	i := e.net.TensorIndex(name)
	if i < 0 {
		return nil, Tensor{}, false
	}
	return e.act[i], e.net.Tensors[i], true
}

// RunOp executes op i alone, reading its inputs from the activations set
// with SetTensor: the op-by-op parity tests feed each op ONNX Runtime's
// own inputs.
func (e *Engine) RunOp(i int) { e.exec(e.net.Ops[i]) }

// SetTensor overwrites the named activation.
func (e *Engine) SetTensor(name string, data []uint8) error {
	i := e.net.TensorIndex(name)
	if i < 0 || len(data) != len(e.act[i]) {
		return fmt.Errorf("mobilenet: no tensor %q of %d values", name, len(data))
	}
	copy(e.act[i], data)
	return nil
}
