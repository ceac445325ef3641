// Package imageprep turns a poster image into the input tensor of the
// MobileNetV2 classifier. It is the one preprocessing path shared by training,
// the CLI and the browser Web Worker (compiled to js/wasm), so that the model
// never sees pixels prepared two different ways.
//
// The pipeline has two stages:
//
//	bytes ──Decode──▶ Image (straight RGBA) ──Preprocess──▶ []float32 NCHW [1,3,224,224]
//
// In the browser, decoding is done by the canvas, which yields straight
// (non-premultiplied) RGBA bytes; the worker wraps them in an [Image] and calls
// [Preprocess] like every other caller.
//
// # Layouts
//
//   - [Image]: W×H pixels, 4 bytes per pixel R, G, B, A, straight alpha,
//     row-major with stride 4·W, origin at the top-left.
//   - Packed RGB (the output of [Resize]): Size×Size pixels, 3 bytes per pixel
//     R, G, B, row-major, stride 3·Size.
//   - Model input (the output of [Preprocess] and [Normalize]): float32 in
//     NCHW order with N = 1 and C = 3 (R, G, B): element (c, y, x) is at
//     c·Size·Size + y·Size + x.
//
// # The rule
//
// The rule is defined, bit for bit, by shared/models/golden/posters/
// resize_reference.go.txt, and is tested against its fixtures:
//
//  1. Alpha is composited over black: each 8-bit channel v with alpha a
//     becomes (v·0x101·a/0xff)>>8 in integer arithmetic, which is exactly
//     color.NRGBA{...}.RGBA() >> 8. An opaque pixel (a = 255) is unchanged.
//  2. The image is resampled to Size×Size by bilinear interpolation with
//     pixel-centre alignment, in float64 with every product rounded on its
//     own (no FMA), then rounded half away from zero and clamped to 0..255.
//     The [Policy] chooses the sampled geometry; [Squash], the default,
//     samples the whole image and is the reference rule.
//  3. Each byte v of channel c becomes (float32(v)/255 − mean[c]) / std[c],
//     every operation in float32, with mean = {0.485, 0.456, 0.406} and
//     std = {0.229, 0.224, 0.225}.
//
// Any change to the output bytes of this package must bump [Version].
//
// # Decoding and untrusted input
//
// [Decode] accepts JPEG (with its EXIF orientation applied), PNG, GIF (first
// frame) and WebP. It bounds memory before allocating pixels: the input is
// read up to [Limits].MaxBytes, and the dimensions from the header are
// checked against [Limits].MaxPixels before the pixels are decoded. Malformed
// input gives an error wrapping [ErrTooLarge], [ErrUnsupportedFormat] or
// [ErrCorrupt], never a panic.
//
// For opaque images the decoded RGB is exactly the high byte of
// img.At(x, y).RGBA() of the Go decoder's image, as in the reference program;
// in general a pixel is color.NRGBAModel.Convert(img.At(x, y)). Common image
// types are converted by fast paths that are tested equal to that rule.
package imageprep
