//go:build js && wasm && benchstages

// This file is compiled only into the benchmark's copies of classifier.wasm
// (-tags benchstages, see bench/doc.go); the app never ships it. It adds
// two functions to the worker's global object, beside main's:
//
//	posterityBenchLoad(backbone: Uint8Array, head: Uint8Array)
//	    → {} | {error: string}
//	posterityBenchStages(file: Uint8Array)
//	    → {decode, preprocess, backbone, head: ms, width, height} | {error: string}
//
// posterityBenchStages runs the steps of classifyEncoded one by one with a
// clock around each: imageprep.Decode, imageprep.Preprocess, the backbone's
// Features and the head's Probs. For a flip-averaged head the real path runs
// the backbone twice; this one times a single pass (the bench says so).

package main

import (
	"bytes"
	"fmt"
	"syscall/js"
	"time"

	"posterity/model/imageprep"
)

func init() {
	var c *classifier
	js.Global().Set("posterityBenchLoad", js.FuncOf(func(_ js.Value, args []js.Value) any {
		if len(args) != 2 {
			return errorValue(fmt.Errorf("posterityBenchLoad: want 2 arguments, got %d", len(args)))
		}
		bb, err := bytesFromJS(args[0], "posterityBenchLoad", "backbone")
		if err != nil {
			return errorValue(err)
		}
		hd, err := bytesFromJS(args[1], "posterityBenchLoad", "head")
		if err != nil {
			return errorValue(err)
		}
		if c, err = newClassifier(bb, hd); err != nil {
			return errorValue(err)
		}
		return js.ValueOf(map[string]any{})
	}))
	js.Global().Set("posterityBenchStages", js.FuncOf(func(_ js.Value, args []js.Value) any {
		if c == nil {
			return errorValue(fmt.Errorf("posterityBenchStages: call posterityBenchLoad first"))
		}
		if len(args) != 1 || !args[0].InstanceOf(js.Global().Get("Uint8Array")) {
			return errorValue(fmt.Errorf("posterityBenchStages: want one Uint8Array"))
		}
		file := make([]byte, args[0].Get("length").Int())
		js.CopyBytesToGo(file, args[0])
		ms := func(d time.Duration) float64 { return float64(d) / 1e6 }

		t0 := time.Now()
		img, _, err := imageprep.Decode(bytes.NewReader(file), imageprep.DefaultLimits())
		if err != nil {
			return errorValue(err)
		}
		t1 := time.Now()
		if err := imageprep.Preprocess(img, c.policy, c.input); err != nil {
			return errorValue(err)
		}
		t2 := time.Now()
		if _, err := c.engine.Features(c.input, c.feat); err != nil {
			return errorValue(err)
		}
		t3 := time.Now()
		c.head.Probs(c.feat, c.probs, c.scratch)
		t4 := time.Now()
		return js.ValueOf(map[string]any{
			"decode": ms(t1.Sub(t0)), "preprocess": ms(t2.Sub(t1)),
			"backbone": ms(t3.Sub(t2)), "head": ms(t4.Sub(t3)),
			"width": img.W, "height": img.H, "flip": c.flip,
		})
	}))
}
