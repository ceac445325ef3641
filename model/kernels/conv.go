package kernels

import "fmt"

// Kind says which convolution a Conv is.
type Kind uint8

// The convolutions of MobileNetV2.
const (
	Pointwise Kind = iota + 1 // 1×1, stride 1, no padding; also QLinearMatMul with P = 1
	Depthwise                 // 3×3, group = C, padding 1, stride 1 or 2
	Full3x3                   // 3×3, group 1, padding 1, stride 1 or 2 (the stem)
)

func (k Kind) String() string {
	switch k {
	case Pointwise:
		return "pointwise"
	case Depthwise:
		return "depthwise"
	case Full3x3:
		return "full3x3"
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

// Conv is one quantized convolution with its requantization folded in.
//
// Weight layout (int8, weight zero point 0, per output channel scale):
//   - Pointwise: W[M][K], one row of input channels per output channel.
//   - Depthwise: W[9][C], tap-major (ky·3+kx), so a tap's weights for
//     neighbouring channels are contiguous like the NHWC activations.
//   - Full3x3:   W[M][9·K], each row in (ky, kx, c) order, matching the
//     order in which an output pixel's receptive field is gathered.
type Conv struct {
	Kind     Kind
	K, M     int // input and output channels (K == M for Depthwise)
	Stride   int
	W        []int8
	Bias     []int32   // M
	Mult     []float32 // M: Multiplier(xScale, wScale[m], yScale)
	XZP, YZP int32

	packed *packed // the optimised twin's weight layout, built by Prepare
}

// OutSize returns the output height and width for an H×W input.
func (c *Conv) OutSize(H, W int) (int, int) {
	if c.Kind == Pointwise {
		return H, W
	}
	return (H-1)/c.Stride + 1, (W-1)/c.Stride + 1
}

// Validate checks the sizes of the weights and per-channel vectors.
func (c *Conv) Validate() error {
	var nw int
	switch c.Kind {
	case Pointwise:
		nw = c.M * c.K
	case Depthwise:
		if c.K != c.M {
			return fmt.Errorf("kernels: depthwise conv with %d inputs and %d outputs", c.K, c.M)
		}
		nw = 9 * c.M
	case Full3x3:
		nw = 9 * c.K * c.M
	default:
		return fmt.Errorf("kernels: unknown conv kind %d", c.Kind)
	}
	if c.K <= 0 || c.M <= 0 || len(c.W) != nw || len(c.Bias) != c.M || len(c.Mult) != c.M {
		return fmt.Errorf("kernels: %v conv %d→%d has %d weights, %d biases, %d multipliers (want %d, %d, %d)",
			c.Kind, c.K, c.M, len(c.W), len(c.Bias), len(c.Mult), nw, c.M, c.M)
	}
	if c.Kind != Pointwise && c.Stride != 1 && c.Stride != 2 {
		return fmt.Errorf("kernels: %v conv with stride %d", c.Kind, c.Stride)
	}
	return nil
}

// RunRef computes dst (OH×OW×M) from src (H×W×K) with the reference loops.
func (c *Conv) RunRef(dst, src []uint8, H, W int) {
	switch c.Kind {
	case Pointwise:
		PointwiseRef(dst, src, H*W, c)
	case Depthwise:
		DepthwiseRef(dst, src, H, W, c)
	case Full3x3:
		Full3x3Ref(dst, src, H, W, c)
	}
}

// PointwiseRef is the reference 1×1 convolution over P pixels:
//
//	dst[p][m] = requant(bias[m] + Σ_k (src[p][k]−xzp)·W[m][k])
func PointwiseRef(dst, src []uint8, P int, c *Conv) {
	K, M := c.K, c.M
	for p := 0; p < P; p++ {
		x := src[p*K : p*K+K]
		for m := 0; m < M; m++ {
			w := c.W[m*K : m*K+K]
			acc := c.Bias[m]
			for k, v := range x {
				acc += (int32(v) - c.XZP) * int32(w[k])
			}
			dst[p*M+m] = Requantize(acc, c.Mult[m], c.YZP)
		}
	}
}

// DepthwiseRef is the reference 3×3 depthwise convolution with padding 1.
// Padding contributes x_zero_point, that is nothing after the subtraction.
func DepthwiseRef(dst, src []uint8, H, W int, c *Conv) {
	C, s := c.M, c.Stride
	OH, OW := c.OutSize(H, W)
	for oy := 0; oy < OH; oy++ {
		for ox := 0; ox < OW; ox++ {
			for ch := 0; ch < C; ch++ {
				acc := c.Bias[ch]
				for ky := 0; ky < 3; ky++ {
					iy := oy*s - 1 + ky
					if iy < 0 || iy >= H {
						continue
					}
					for kx := 0; kx < 3; kx++ {
						ix := ox*s - 1 + kx
						if ix < 0 || ix >= W {
							continue
						}
						acc += (int32(src[(iy*W+ix)*C+ch]) - c.XZP) * int32(c.W[(ky*3+kx)*C+ch])
					}
				}
				dst[(oy*OW+ox)*C+ch] = Requantize(acc, c.Mult[ch], c.YZP)
			}
		}
	}
}

// Full3x3Ref is the reference dense 3×3 convolution with padding 1.
func Full3x3Ref(dst, src []uint8, H, W int, c *Conv) {
	K, M, s := c.K, c.M, c.Stride
	OH, OW := c.OutSize(H, W)
	for oy := 0; oy < OH; oy++ {
		for ox := 0; ox < OW; ox++ {
			for m := 0; m < M; m++ {
				acc := c.Bias[m]
				w := c.W[m*9*K : (m+1)*9*K]
				for ky := 0; ky < 3; ky++ {
					iy := oy*s - 1 + ky
					if iy < 0 || iy >= H {
						continue
					}
					for kx := 0; kx < 3; kx++ {
						ix := ox*s - 1 + kx
						if ix < 0 || ix >= W {
							continue
						}
						for k := 0; k < K; k++ {
							acc += (int32(src[(iy*W+ix)*K+k]) - c.XZP) * int32(w[(ky*3+kx)*K+k])
						}
					}
				}
				dst[(oy*OW+ox)*M+m] = Requantize(acc, c.Mult[m], c.YZP)
			}
		}
	}
}
