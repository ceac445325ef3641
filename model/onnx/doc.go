// Package onnx reads the subset of the ONNX protobuf format that Posterity's
// backbone uses: the model's opset imports, the graph's nodes with their
// attributes, inputs and outputs, and initializers of every numeric dtype
// (int8 and uint8 included, which onnx-go cannot decode).
//
// It decodes the wire format directly with protowire, so it needs no
// generated code and stays out of the browser build: the engine loads the
// project's own weight file, converted once from the ONNX model.
//
// Field numbers follow onnx/onnx.proto (ONNX IR version 8).
package onnx
