package ui

import (
	"strconv"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// Assets are the URLs of the files the page hands to its inference worker,
// and the decoded sizes of the model files (for download progress; a
// gzip-encoded response's Content-Length is not the size the worker counts).
// The server computes them (with content-hash query strings) and passes them
// to the page through go-app's environment.
type Assets struct {
	Worker     string // worker.js
	WasmExec   string // Go's wasm_exec.js, of the toolchain that built classifier.wasm
	Classifier string // classifier.wasm
	Backbone   string // backbone.pstb, up to the 1280-d feature
	Head       string // head.bin
	// ImageNet is the backbone's ImageNet classifier (imagenet.pstb), which
	// the worker fetches only when a poster first asks for the top-5.
	ImageNet string
	// Kernels is the optional wasm SIMD kernel module (kernels.wasm) that a
	// classifier.wasm built with the wasmkernels tag imports; "" when the
	// static folder has none.
	Kernels      string
	BackboneSize int64
	HeadSize     int64
	ImageNetSize int64
}

// Environment keys under which Assets travel to the page.
const (
	envWorker       = "POSTERITY_WORKER"
	envWasmExec     = "POSTERITY_WASM_EXEC"
	envClassifier   = "POSTERITY_CLASSIFIER"
	envBackbone     = "POSTERITY_BACKBONE"
	envHead         = "POSTERITY_HEAD"
	envKernels      = "POSTERITY_KERNELS"
	envBackboneSize = "POSTERITY_BACKBONE_SIZE"
	envHeadSize     = "POSTERITY_HEAD_SIZE"
	envImageNet     = "POSTERITY_IMAGENET"
	envImageNetSize = "POSTERITY_IMAGENET_SIZE"
)

// Env returns a as go-app environment variables (app.Handler.Env).
func (a Assets) Env() map[string]string {
	return map[string]string{
		envWorker: a.Worker, envWasmExec: a.WasmExec, envClassifier: a.Classifier,
		envBackbone: a.Backbone, envHead: a.Head, envKernels: a.Kernels,
		envBackboneSize: strconv.FormatInt(a.BackboneSize, 10),
		envHeadSize:     strconv.FormatInt(a.HeadSize, 10),
		envImageNet:     a.ImageNet,
		envImageNetSize: strconv.FormatInt(a.ImageNetSize, 10),
	}
}

// assetsFromEnv reads the Assets that the server put in the page's
// environment.
func assetsFromEnv() Assets {
	size := func(k string) int64 {
		n, _ := strconv.ParseInt(app.Getenv(k), 10, 64)
		return n
	}
	return Assets{
		Worker: app.Getenv(envWorker), WasmExec: app.Getenv(envWasmExec),
		Classifier: app.Getenv(envClassifier), Backbone: app.Getenv(envBackbone),
		Head: app.Getenv(envHead), Kernels: app.Getenv(envKernels), BackboneSize: size(envBackboneSize), HeadSize: size(envHeadSize),
		ImageNet: app.Getenv(envImageNet), ImageNetSize: size(envImageNetSize),
	}
}
