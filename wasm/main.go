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
//	posterityAttachImageNet(classifier: Uint8Array) → {} | {error: string}
//	posterityClassifyFile(file: Uint8Array, options?)
//	    → {probs: number[] (label order), width, height, cams, imagenet?}
//	    | {error: string, unsupported: bool}
//	posterityClassify(width: number, height: number, rgba: Uint8ClampedArray, options?)
//	    → {probs: number[] (label order), cams, imagenet?} | {error: string}
//
// options is {imagenet: bool, explainShift: number}. cams is a Float32Array
// of labels×49 values: each label's 7×7 Grad-CAM map (row-major, in [0, 1];
// explain.All) from the same forward pass, for the labels predicted when
// the thresholds are lowered by explainShift in logit space (the page's
// most generous setting), zeros for the others; camsMS is what they took.
// imagenet, present only when options.imagenet is true and the ImageNet
// classifier is attached, is the backbone's ImageNet top-5: [{index, label,
// synset, prob}], the logits computed by running the backbone's last ops on
// the map the feature pass left (the pooled 1000-way classifier), nothing
// more.
//
// backbone is backbone.pstb, everything up to the 1280-d feature; the
// ImageNet classifier is imagenet.pstb, which worker.js fetches only when a
// poster first asks for the top-5 and hands to posterityAttachImageNet.
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
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"syscall/js"

	"posterity/model/explain"
	"posterity/model/imageprep"
)

func main() {
	var c *classifier
	load := js.FuncOf(func(_ js.Value, args []js.Value) any {
		if len(args) != 2 {
			return errorValue(fmt.Errorf("posterityLoad: want 2 arguments, got %d", len(args)))
		}
		bb, err := bytesFromJS(args[0], "posterityLoad", "backbone")
		if err != nil {
			return errorValue(err)
		}
		hd, err := bytesFromJS(args[1], "posterityLoad", "head")
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
	attach := js.FuncOf(func(_ js.Value, args []js.Value) any {
		if c == nil {
			return errorValue(fmt.Errorf("posterityAttachImageNet: the model is not loaded"))
		}
		if len(args) != 1 {
			return errorValue(fmt.Errorf("posterityAttachImageNet: want 1 argument, got %d", len(args)))
		}
		b, err := bytesFromJS(args[0], "posterityAttachImageNet", "classifier")
		if err != nil {
			return errorValue(err)
		}
		if err := c.attachImageNet(b); err != nil {
			return errorValue(err)
		}
		return js.ValueOf(map[string]any{})
	})
	classify := js.FuncOf(func(_ js.Value, args []js.Value) any {
		if c == nil {
			return errorValue(fmt.Errorf("posterityClassify: the model is not loaded"))
		}
		if len(args) != 3 && len(args) != 4 {
			return errorValue(fmt.Errorf("posterityClassify: want 3 or 4 arguments, got %d", len(args)))
		}
		if len(args) == 4 {
			c.setOptions(args[3])
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
		return c.result(probs, map[string]any{})
	})
	classifyFile := js.FuncOf(func(_ js.Value, args []js.Value) any {
		if c == nil {
			return errorValue(fmt.Errorf("posterityClassifyFile: the model is not loaded"))
		}
		if len(args) < 1 || len(args) > 2 || args[0].Type() != js.TypeObject || !args[0].InstanceOf(js.Global().Get("Uint8Array")) {
			return errorValue(fmt.Errorf("posterityClassifyFile: want a Uint8Array and options"))
		}
		if len(args) == 2 {
			c.setOptions(args[1])
		}
		file := make([]byte, args[0].Get("length").Int())
		js.CopyBytesToGo(file, args[0])
		probs, w, h, err := c.classifyEncoded(file)
		if err != nil {
			return js.ValueOf(map[string]any{"error": userMessage(err), "unsupported": errors.Is(err, imageprep.ErrUnsupportedFormat)})
		}
		return c.result(probs, map[string]any{"width": w, "height": h})
	})
	js.Global().Set("posterityLoad", load)
	js.Global().Set("posterityAttachImageNet", attach)
	js.Global().Set("posterityClassify", classify)
	js.Global().Set("posterityClassifyFile", classifyFile)
	select {} // serve calls from worker.js until the worker is terminated
}

// setOptions reads a classification's options: imagenet (bool) and
// explainShift (number, the logit shift of the page's most generous
// threshold setting; see classifier.labelsToExplain).
func (c *classifier) setOptions(opts js.Value) {
	c.imagenet, c.camShift = false, 0
	if opts.Type() != js.TypeObject {
		return
	}
	if v := opts.Get("imagenet"); v.Type() == js.TypeBoolean {
		c.imagenet = v.Bool()
	}
	if v := opts.Get("explainShift"); v.Type() == js.TypeNumber && v.Float() >= 0 && v.Float() <= 10 {
		c.camShift = v.Float()
	}
}

// result is the JavaScript value of one classification: fields, plus the
// probabilities, the heatmaps and (when asked) the ImageNet top-5.
func (c *classifier) result(probs []float32, fields map[string]any) js.Value {
	fields["probs"] = jsArray(probs)
	fields["cams"] = c.camsJS()
	fields["camsMS"] = float64(c.camTime) / 1e6
	if c.top != nil {
		top := make([]any, len(c.top))
		for i, t := range c.top {
			top[i] = map[string]any{"index": t.Index, "label": t.Label, "synset": t.Synset, "prob": t.Prob}
		}
		fields["imagenet"] = top
	}
	return js.ValueOf(fields)
}

// camsJS copies the heatmaps into a new Float32Array (labels×49, label
// order), through its bytes: one copy instead of a call per value.
func (c *classifier) camsJS() js.Value {
	const n = explain.Grid * explain.Grid
	b := make([]byte, 4*n*len(c.cams))
	for j, m := range c.cams {
		for p, v := range m {
			binary.LittleEndian.PutUint32(b[4*(j*n+p):], math.Float32bits(v))
		}
	}
	u8 := js.Global().Get("Uint8Array").New(len(b))
	js.CopyBytesToJS(u8, b)
	return js.Global().Get("Float32Array").New(u8.Get("buffer"))
}

// bytesFromJS copies a Uint8Array into a new Go slice.
func bytesFromJS(v js.Value, fn, name string) ([]byte, error) {
	if v.Type() != js.TypeObject || !v.InstanceOf(js.Global().Get("Uint8Array")) {
		return nil, fmt.Errorf("%s: %s is not a Uint8Array", fn, name)
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
