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
// loop each). Conv.Run, Add and Quantize dispatch to an optimised twin
// where the build has one, picked by build tags and, on amd64, the CPU:
//
//   - GOEXPERIMENT=simd, amd64: simd/archsimd kernels, AVX-512 where the
//     CPU has it (pointwise_amd64.go, depthwise_amd64.go, stem_amd64.go,
//     eltwise_amd64.go), else AVX2; without AVX2 the plain-Go kernels.
//   - GOEXPERIMENT=simd, wasm: SIMD128 kernels through simd/archsimd
//     (*_wasm.go).
//   - GOEXPERIMENT=simd, wasm, -tags wasmkernels: the GEMM, depthwise,
//     widening and quantization run in a generated wasm module
//     (subpackage wasmkern) that the host links in; see its package
//     comment for the one line of JS it needs.
//   - otherwise: faster plain-Go twins for depthwise and the stem
//     (depthwise.go, full3x3.go), the references for the rest.
//
// Integer accumulation is exact in every twin, and each float32 step of
// the requantization is the same IEEE operation in the same order, so all
// of them are bit-identical to the references: TestConvTwins,
// TestConvTwinsExtreme and TestEltwiseTwins hold them equal on random data
// and odd shapes, and model/mobilenet's parity tests on ONNX Runtime's own
// tensors. BenchmarkConv gives the per-kernel breakdown on MobileNetV2's
// shapes (MAC/ns, and thread CPU time where the OS has it).
package kernels
