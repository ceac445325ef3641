// Package kernels holds the integer kernels of Posterity's quantized
// MobileNetV2: QuantizeLinear, QLinearConv (full 3×3, depthwise 3×3,
// pointwise 1×1), QLinearAdd, QLinearGlobalAveragePool and the float32
// requantization they share, with ONNX Runtime's exact arithmetic (the
// float32 recipe in shared/models/golden/README.md).
//
// Layout: activations are uint8 NHWC for one image, written H×W×C
// ("P" = H·W pixels, "K" = input channels, "M" = output channels);
// channels are contiguous, so a pointwise convolution is the GEMM
// dst[P×M] = src[P×K] · W[K×M] and a depthwise one vectorises across C.
//
// Every kernel has a plain-Go reference (the *Ref functions: one readable
// loop each). Conv.Run dispatches to an optimised twin where one exists for
// the build (GOEXPERIMENT=simd on amd64 with AVX2) and to the reference
// otherwise; the tests hold the twins equal on random data and on ONNX
// Runtime's own tensors.
package kernels
