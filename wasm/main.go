//go:build js && wasm

// Command classifier is Posterity's inference engine for the browser: the Go
// program that the Web Worker static/web/worker.js runs (built to
// static/web/classifier.wasm). It has no UI and no go-app; the page never
// runs it on its own thread, so classifying posters cannot freeze the page.
//
// It exposes two functions on the worker's global object, which worker.js
// calls:
//
//	posterityLoad(backbone: Uint8Array, head: Uint8Array)
//	    → {info: string (JSON, see modelInfo)} | {error: string}
//	posterityClassifyFile(file: Uint8Array)
//	    → {probs: number[] (label order), width, height}
//	    | {error: string, unsupported: bool}
//	posterityClassify(width: number, height: number, rgba: Uint8ClampedArray)
//	    → {probs: number[] (label order)} | {error: string}
//
// posterityClassifyFile decodes the file's bytes with imageprep.Decode, as
// the CLI and training do (JPEG, PNG, GIF, WebP); unsupported is true when
// the format is not one of those, and the worker then lets the browser decode
// it. posterityClassify takes the straight (non-premultiplied) RGBA of an
// image the browser decoded, as getImageData returns it. Either way the
// pixels are copied into Go memory with js.CopyBytesToGo and go through
// imageprep.Preprocess, the same rule as the CLI's.
package main

import (
	"errors"
	"fmt"
	"syscall/js"

	"posterity/model/imageprep"
)

func main() {
	var c *classifier
	load := js.FuncOf(func(_ js.Value, args []js.Value) any {
		if len(args) != 2 {
			return errorValue(fmt.Errorf("posterityLoad: want 2 arguments, got %d", len(args)))
		}
		bb, err := bytesFromJS(args[0], "backbone")
		if err != nil {
			return errorValue(err)
		}
		hd, err := bytesFromJS(args[1], "head")
		if err != nil {
			return errorValue(err)
		}
		nc, err := newClassifier(bb, hd)
		if err != nil {
			return errorValue(err)
		}
		info, err := nc.infoJSON()
		if err != nil {
			return errorValue(err)
		}
		c = nc
		return js.ValueOf(map[string]any{"info": info})
	})
	classify := js.FuncOf(func(_ js.Value, args []js.Value) any {
		if c == nil {
			return errorValue(fmt.Errorf("posterityClassify: the model is not loaded"))
		}
		if len(args) != 3 {
			return errorValue(fmt.Errorf("posterityClassify: want 3 arguments, got %d", len(args)))
		}
		w, h := args[0].Int(), args[1].Int()
		pix, err := c.pixels(w, h)
		if err != nil {
			return errorValue(err)
		}
		if n := args[2].Get("length").Int(); n != len(pix) {
			return errorValue(fmt.Errorf("posterityClassify: %d×%d RGBA needs %d bytes, got %d", w, h, len(pix), n))
		}
		js.CopyBytesToGo(pix, args[2])
		probs, err := c.classify(w, h, pix)
		if err != nil {
			return errorValue(err)
		}
		return js.ValueOf(map[string]any{"probs": jsArray(probs)})
	})
	classifyFile := js.FuncOf(func(_ js.Value, args []js.Value) any {
		if c == nil {
			return errorValue(fmt.Errorf("posterityClassifyFile: the model is not loaded"))
		}
		if len(args) != 1 || args[0].Type() != js.TypeObject || !args[0].InstanceOf(js.Global().Get("Uint8Array")) {
			return errorValue(fmt.Errorf("posterityClassifyFile: want one Uint8Array"))
		}
		file := make([]byte, args[0].Get("length").Int())
		js.CopyBytesToGo(file, args[0])
		probs, w, h, err := c.classifyEncoded(file)
		if err != nil {
			return js.ValueOf(map[string]any{"error": userMessage(err), "unsupported": errors.Is(err, imageprep.ErrUnsupportedFormat)})
		}
		return js.ValueOf(map[string]any{"probs": jsArray(probs), "width": w, "height": h})
	})
	js.Global().Set("posterityLoad", load)
	js.Global().Set("posterityClassify", classify)
	js.Global().Set("posterityClassifyFile", classifyFile)
	select {} // serve calls from worker.js until the worker is terminated
}

// bytesFromJS copies a Uint8Array into a new Go slice.
func bytesFromJS(v js.Value, name string) ([]byte, error) {
	if v.Type() != js.TypeObject || !v.InstanceOf(js.Global().Get("Uint8Array")) {
		return nil, fmt.Errorf("posterityLoad: %s is not a Uint8Array", name)
	}
	b := make([]byte, v.Get("length").Int())
	js.CopyBytesToGo(b, v)
	return b, nil
}

func errorValue(err error) js.Value {
	return js.ValueOf(map[string]any{"error": userMessage(err)})
}

// jsArray copies probabilities into a JavaScript array of numbers.
func jsArray(v []float32) js.Value {
	out := js.Global().Get("Array").New(len(v))
	for i, p := range v {
		out.SetIndex(i, float64(p))
	}
	return out
}
