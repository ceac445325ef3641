// Package mobilenet runs the ONNX Model Zoo's quantized MobileNetV2
// (mobilenetv2-12-int8.onnx) bit-exactly as ONNX Runtime does, in pure Go,
// natively and in WebAssembly.
//
// The ONNX model is converted once (Convert, then WriteFiles) into the
// project's own versioned weight files (see format.go): the backbone up to
// the feature map (backbone.pstb, read with Decode or LoadFile) and the
// ImageNet classifier after it (imagenet.pstb, added with AttachImageNet or
// LoadFiles), so that genre classification never downloads the classifier.
// No protobuf in the browser, and a flipped bit or a stale file is caught by
// checksum and version with a hint to run "make model".
//
// An Engine holds one image's activations and scratch buffers and is used
// by one goroutine at a time; Net is immutable once loaded and shared.
// Activations are uint8 NHWC (see package kernels). The input is the
// normalized NCHW float32 tensor from package imageprep.
//
// Outputs:
//   - Features: the 1280-d feature, the float mean over 7×7 of the
//     dequantized Conv_95 output (627_quantized), and that 7×7×1280 map.
//   - Logits: the 1000 ImageNet logits (the model's float output), once
//     the ImageNet classifier is attached.
package mobilenet
