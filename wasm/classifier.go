package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"

	"posterity/model/explain"
	"posterity/model/head"
	"posterity/model/imagenet"
	"posterity/model/imageprep"
	"posterity/model/kernels"
	"posterity/model/mobilenet"
)

// classifier holds the loaded model and every buffer one classification
// needs. It is built once per worker and reused for every poster, so a batch
// of hundreds runs in steady memory. It is not safe for concurrent use (the
// worker has one thread).
type classifier struct {
	net    *mobilenet.Net
	engine *mobilenet.Engine
	head   *head.Head
	policy imageprep.Policy
	flip   bool // the head was trained on features averaged with the mirrored poster's
	info   modelInfo

	pix     []uint8   // RGBA of the current poster, reused up to keepPixels
	rgb     []uint8   // Size×Size packed RGB (flip mode only)
	input   []float32 // NCHW model input
	feat    []float32 // FeatureDim
	flipped []float32 // FeatureDim (flip mode only)
	probs   []float32 // Out
	scratch []float32 // Hidden: the head's hidden activation a1 after Probs

	// Grad-CAM of every label, from the same forward pass (explain.All).
	cams   [][explain.Grid * explain.Grid]float32 // Out maps, label order
	grads  []float32                              // Out×FeatureDim scratch
	fmap   []uint8                                // 7×7×1280: the unflipped pass's map (flip mode)
	avgMap []uint8                                // 7×7×1280: the flip-averaged map (flip mode)
	want   []bool                                 // Out: which labels get a map
	// camShift selects the labels that get a heatmap: those predicted when
	// every threshold is lowered by camShift in logit space (the page's
	// most generous setting; see labelsToExplain). 0: the predicted ones.
	camShift float64
	camTime  time.Duration // what the last heatmaps took

	// ImageNet top-5, only when asked for (imagenet true before classify)
	// and once the ImageNet classifier file is attached (attachImageNet):
	// the worker fetches it on the first request that asks, never at start.
	imagenet bool
	tail     int       // index of the first op after the feature map
	logits   []float32 // NumClasses
	top      []imagenetTop
	synsets  []string
}

// imagenetTop is one of the backbone's ImageNet top-5 (the JSON the page
// gets).
type imagenetTop struct {
	Index  int     `json:"index"`
	Label  string  `json:"label"`
	Synset string  `json:"synset"`
	Prob   float64 `json:"prob"`
}

// keepPixels is the largest RGBA buffer, in pixels, that the classifier keeps
// between posters (16 Mpixel, 64 MiB). A larger photo gets a buffer of its own
// that the garbage collector can reclaim; wasm memory never shrinks, so this
// bounds what a single huge photo pins for the rest of the session.
const keepPixels = 16 << 20

// modelInfo is what the page needs to know about the loaded model: label
// names and thresholds in output order, the head's metrics and provenance.
// It crosses to the page as JSON.
type modelInfo struct {
	Labels            []string            `json:"labels"`
	Thresholds        []float32           `json:"thresholds"`
	Mode              string              `json:"mode"`
	Metrics           map[string]float64  `json:"metrics"`
	PerLabel          []head.LabelMetrics `json:"perLabel,omitempty"`
	Curves            []head.Curve        `json:"curves,omitempty"`
	Created           string              `json:"created"`
	Notes             string              `json:"notes"`
	Preprocess        string              `json:"preprocess"`
	PreprocessVersion int                 `json:"preprocessVersion"`
	BackboneSHA256    string              `json:"backboneSHA256"`
	HeadSHA256        string              `json:"headSHA256"`
	Quantized         bool                `json:"quantized"`
	FlipAverage       bool                `json:"flipAverage"`
	Kernels           string              `json:"kernels"`
	Limits            limitsInfo          `json:"limits"`
}

// limitsInfo are imageprep.DefaultLimits, which the worker's JavaScript
// checks before it decodes a file.
type limitsInfo struct {
	MaxBytes  int64 `json:"maxBytes"`
	MaxPixels int64 `json:"maxPixels"`
}

// newClassifier parses the backbone weight file (up to the feature map,
// without the ImageNet classifier) and the head file and checks that they
// belong together, as the classify command does.
func newClassifier(backbone, headFile []byte) (*classifier, error) {
	net, err := mobilenet.Decode(backbone)
	if err != nil {
		return nil, fmt.Errorf("backbone.pstb: %w", err)
	}
	h, err := head.Parse(headFile)
	if err != nil {
		return nil, fmt.Errorf("head.bin: %w", err)
	}
	if h.In != mobilenet.FeatureDim {
		return nil, fmt.Errorf("head.bin takes %d-d features, the backbone gives %d", h.In, mobilenet.FeatureDim)
	}
	if h.BackboneSHA256 != "" && h.BackboneSHA256 != net.SourceSHA256 {
		return nil, fmt.Errorf("head.bin was trained on backbone %.12s…, this backbone is %.12s…", h.BackboneSHA256, net.SourceSHA256)
	}
	policy := imageprep.Squash
	if h.Preprocess != "" {
		if policy, err = imageprep.ParsePolicy(h.Preprocess); err != nil {
			return nil, fmt.Errorf("head.bin: %w", err)
		}
	}
	c := &classifier{
		net: net, engine: net.NewEngine(), head: h, policy: policy,
		flip:    h.Metrics["flip_average"] == 1,
		input:   make([]float32, mobilenet.InputLen),
		feat:    make([]float32, mobilenet.FeatureDim),
		probs:   make([]float32, h.Out),
		scratch: make([]float32, h.Hidden),
		cams:    make([][explain.Grid * explain.Grid]float32, h.Out),
		grads:   make([]float32, h.Out*h.In),
		want:    make([]bool, h.Out),
		tail:    len(net.Ops),
		logits:  make([]float32, mobilenet.NumClasses),
		synsets: imagenet.Labels(),
	}
	for i, op := range net.Ops {
		if op.Out == net.Feature {
			c.tail = i + 1
		}
	}
	if c.flip {
		c.rgb = make([]uint8, 3*imageprep.Size*imageprep.Size)
		c.flipped = make([]float32, mobilenet.FeatureDim)
		c.fmap = make([]uint8, mobilenet.FeatureGrid*mobilenet.FeatureGrid*mobilenet.FeatureDim)
		c.avgMap = make([]uint8, len(c.fmap))
	}
	lim := imageprep.DefaultLimits()
	c.info = modelInfo{
		Labels: h.Labels, Thresholds: h.Thresholds, Mode: h.Mode.String(),
		Metrics: h.Metrics, PerLabel: h.PerLabel, Curves: h.Curves, Created: h.Created, Notes: h.Notes,
		Preprocess: policy.String(), PreprocessVersion: h.PreprocessVersion,
		BackboneSHA256: net.SourceSHA256, HeadSHA256: trailer(headFile),
		Quantized: h.Quantized, FlipAverage: c.flip, Kernels: kernels.SIMD(),
		Limits: limitsInfo{MaxBytes: lim.MaxBytes, MaxPixels: lim.MaxPixels},
	}
	return c, nil
}

// trailer returns the hex SHA-256 that ends a head file (its identity).
func trailer(b []byte) string {
	const n = 32
	if len(b) < n {
		return ""
	}
	return fmt.Sprintf("%x", b[len(b)-n:])
}

// attachImageNet parses the ImageNet classifier file (imagenet.pstb), checks
// that it belongs to the loaded backbone, and adds it: from then on a
// classification with c.imagenet set also gives the top-5. The engine keeps
// its buffers (Engine.Extend); attaching twice is a no-op.
func (c *classifier) attachImageNet(file []byte) error {
	if c.net.HasImageNet() {
		return nil
	}
	full, err := c.net.AttachImageNet(file)
	if err != nil {
		return fmt.Errorf("imagenet.pstb: %w", err)
	}
	if err := c.engine.Extend(full); err != nil {
		return fmt.Errorf("imagenet.pstb: %w", err)
	}
	c.net = full
	return nil
}

// infoJSON returns the model description sent to the page.
func (c *classifier) infoJSON() (string, error) {
	b, err := json.Marshal(c.info)
	if err != nil {
		return "", fmt.Errorf("encoding model info: %w", err)
	}
	return string(b), nil
}

// pixels returns a buffer for a w×h RGBA image, reusing the kept one when it
// is large enough. It checks the size against the decode limits first.
func (c *classifier) pixels(w, h int) ([]uint8, error) {
	if w <= 0 || h <= 0 {
		return nil, fmt.Errorf("the image is empty (%d×%d)", w, h)
	}
	if int64(w)*int64(h) > c.info.Limits.MaxPixels {
		return nil, fmt.Errorf("%d×%d is %.1f Mpixel, more than the %d Mpixel limit: %w",
			w, h, float64(w)*float64(h)/1e6, c.info.Limits.MaxPixels/1e6, imageprep.ErrTooLarge)
	}
	n := 4 * w * h
	if cap(c.pix) >= n {
		return c.pix[:n], nil
	}
	buf := make([]uint8, n)
	if w*h <= keepPixels {
		c.pix = buf
	}
	return buf, nil
}

// classify returns the head's probabilities, in label order, for one
// straight-RGBA image of w×h pixels. The returned slice is owned by the
// classifier and overwritten by the next call. It also leaves in c.cams the
// Grad-CAM map of every label, and, when c.imagenet is set and the ImageNet
// classifier is attached, the backbone's ImageNet top-5 in c.top (else
// c.top is nil: the genres never depend on the classifier).
//
// It follows the classify command step for step: the imageprep rule, the
// backbone's pooled feature, then the head; when the head was trained on
// flip-averaged features, the mirrored poster's feature is averaged in the
// same way as in training (float32((a+b)·0.5)). The heatmaps of a
// flip-averaged head use the mean of the two passes' maps, the mirrored one
// mirrored back (explain.MirrorAverage); the ImageNet top-5 is the
// unmirrored poster's.
func (c *classifier) classify(w, h int, pix []uint8) ([]float32, error) {
	img := imageprep.Image{W: w, H: h, Pix: pix}
	c.top = nil
	var fmap []uint8
	var err error
	if !c.flip {
		if err := imageprep.Preprocess(img, c.policy, c.input); err != nil {
			return nil, fmt.Errorf("preprocessing: %w", err)
		}
		if fmap, err = c.engine.Features(c.input, c.feat); err != nil {
			return nil, fmt.Errorf("backbone: %w", err)
		}
		c.imagenetTop()
	} else {
		if err := imageprep.Resize(img, c.policy, c.rgb); err != nil {
			return nil, fmt.Errorf("preprocessing: %w", err)
		}
		imageprep.Normalize(c.rgb, c.input)
		m, err := c.engine.Features(c.input, c.feat)
		if err != nil {
			return nil, fmt.Errorf("backbone: %w", err)
		}
		copy(c.fmap, m)
		c.imagenetTop()
		imageprep.FlipHorizontal(c.rgb)
		imageprep.Normalize(c.rgb, c.input)
		if m, err = c.engine.Features(c.input, c.flipped); err != nil {
			return nil, fmt.Errorf("backbone: %w", err)
		}
		for j := range c.feat {
			c.feat[j] = float32(float32(c.feat[j]+c.flipped[j]) * 0.5)
		}
		explain.MirrorAverage(c.avgMap, c.fmap, m, mobilenet.FeatureDim)
		fmap = c.avgMap
	}
	probs := c.head.Probs(c.feat, c.probs, c.scratch)
	t0 := time.Now()
	c.labelsToExplain(probs)
	scale, zp := c.net.FeatureMapScale()
	if err := explain.All(c.head, fmap, scale, zp, c.scratch, c.want, c.grads, c.cams); err != nil {
		return nil, fmt.Errorf("heatmaps: %w", err)
	}
	c.camTime = time.Since(t0)
	return probs, nil
}

// labelsToExplain sets c.want: the labels that can be predicted at any
// threshold setting the page offers, i.e. p ≥ σ(logit(t) − camShift), the
// rest stay without a heatmap. A map costs about H_active·D multiply-adds
// (explain.All), as much as a large part of the head, so the worker does
// not compute the maps of genres nobody can see. In multi-class mode the
// prediction is the argmax, which gets the only map.
func (c *classifier) labelsToExplain(probs []float32) {
	best := 0
	for j, p := range probs {
		if p > probs[best] {
			best = j
		}
	}
	for j, p := range probs {
		if c.head.Mode == head.MultiClass {
			c.want[j] = j == best
			continue
		}
		t := float64(c.head.Thresholds[j])
		shifted := t
		if c.camShift != 0 && t > 0 && t < 1 {
			shifted = 1 / (1 + math.Exp(-(math.Log(t/(1-t)) - c.camShift)))
		}
		// Compare as the page does: in float64, after the float32 value.
		c.want[j] = float64(p) >= shifted || float64(p) >= t
	}
}

// imagenetTop runs the backbone's remaining ops (global pooling and the
// 1000-way classifier, a small part of its cost) on the feature map the
// engine holds, when c.imagenet is set and the classifier is attached, and
// keeps the top 5 classes by softmax probability in c.top. The logits are
// Engine.Logits's: the same ops on the same activations.
func (c *classifier) imagenetTop() {
	if !c.imagenet || !c.net.HasImageNet() {
		return
	}
	for i := c.tail; i < len(c.net.Ops); i++ {
		c.engine.RunOp(i)
	}
	q, _, _ := c.engine.Tensor(c.net.Tensors[c.net.Logits].Name)
	for i, v := range q {
		c.logits[i] = float32(int32(v)-c.net.OutZP) * c.net.OutScale
	}
	head.Softmax(c.logits)
	c.top = c.top[:0]
	for k := 0; k < 5; k++ {
		best := -1
		for i, p := range c.logits {
			if taken(c.top, i) {
				continue
			}
			if best < 0 || p > c.logits[best] {
				best = i
			}
		}
		syn, _, _ := strings.Cut(c.synsets[best], " ")
		c.top = append(c.top, imagenetTop{Index: best, Label: imagenet.Name(c.synsets[best]), Synset: syn, Prob: float64(c.logits[best])})
	}
}

func taken(top []imagenetTop, i int) bool {
	for _, t := range top {
		if t.Index == i {
			return true
		}
	}
	return false
}

// classifyEncoded decodes an image file with imageprep.Decode, the CLI's and
// training's decoder (EXIF orientation included), and classifies it. Decoding
// in Go, not in the browser, keeps the page's probabilities equal to the CLI's:
// the int8 backbone turns the few-level differences between two JPEG decoders
// into visibly different features (measured: one input value one step off
// changes 40 % of the final feature map). It returns the decoded size too.
func (c *classifier) classifyEncoded(file []byte) (probs []float32, w, h int, err error) {
	img, _, err := imageprep.Decode(bytes.NewReader(file), imageprep.DefaultLimits())
	if err != nil {
		return nil, 0, 0, err
	}
	probs, err = c.classify(img.W, img.H, img.Pix)
	return probs, img.W, img.H, err
}

// userMessage is err's text without the package prefix, for an error card.
func userMessage(err error) string {
	return strings.ReplaceAll(err.Error(), "imageprep: ", "")
}
