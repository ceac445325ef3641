//go:build !wasm

package ui

import (
	_ "embed"
	"fmt"
	"sort"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// serviceWorkerJS is go-app's service worker template, amended (see the
// file's header).
//
//go:embed app-worker.js
var serviceWorkerJS string

// ContentSecurityPolicy is the policy the page is served with. Measured with
// go-app v10.1.11 in Chromium: the page needs no inline script and no inline
// style (go-app's own loader uses classes; this package never sets a style
// attribute), only 'wasm-unsafe-eval' to compile app.wasm and
// classifier.wasm, and blob: images for the thumbnails. connect-src 'self'
// also means that nothing on the page can send a poster to another origin.
const ContentSecurityPolicy = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; " +
	"style-src 'self'; img-src 'self' blob: data:; connect-src 'self'; worker-src 'self'; " +
	"manifest-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; " +
	"frame-ancestors 'none'"

// metaCSP is the policy for static hosting, where no header can be set: a
// <meta> element cannot carry frame-ancestors.
const metaCSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; " +
	"style-src 'self'; img-src 'self' blob: data:; connect-src 'self'; worker-src 'self'; " +
	"manifest-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'"

// Static files of the app, under the static folder's web/ directory. The
// server serves them and resolves each to a content-addressed URL.
const (
	IconDefault    = "/web/icon-192.png"
	IconLarge      = "/web/icon-512.png"
	IconMaskable   = "/web/icon-maskable-512.png"
	IconSVG        = "/web/icon.svg"
	StyleSheet     = "/web/posterity.css"
	WorkerJS       = "/web/worker.js"
	ClassifierWasm = "/web/classifier.wasm"
	BackboneFile   = "/web/backbone.pstb"
	HeadFile       = "/web/head.bin"
	AppWasm        = "/web/app.wasm"
	KernelsWasm    = "/web/kernels.wasm" // optional, see Assets.Kernels
	// WasmExecJS is Go's JavaScript support file. go-app serves its own copy
	// at this path; the server replaces it with the one of the toolchain that
	// built app.wasm and classifier.wasm, and the worker loads the same URL,
	// so the browser fetches and caches it once.
	WasmExecJS = "/wasm_exec.js"
	// ImageNetFile is the backbone's ImageNet classifier (1.29 MB, 1.19 MB
	// gzip), which only the optional ImageNet top-5 needs: the worker fetches
	// it when a poster first asks for the top-5 and keeps it in its own cache
	// (wasm/worker.js), so it is not one of the service worker's cacheable
	// resources, which a first visit downloads in full.
	ImageNetFile = "/web/imagenet.pstb"
)

// RequiredFiles returns the files under web/ without which the app cannot
// work.
func RequiredFiles() []string {
	return []string{AppWasm, ClassifierWasm, WorkerJS, BackboneFile, HeadFile, ImageNetFile,
		IconDefault, IconLarge, IconMaskable, IconSVG, StyleSheet}
}

// HandlerConfig is what the server knows and the handler needs.
type HandlerConfig struct {
	// Version identifies everything served; the service worker re-caches
	// when it changes. The server derives it from the files' contents.
	Version string
	// Resources resolves "/web/…" paths to the URLs the page uses (the
	// server appends a content hash).
	Resources app.ResourceResolver
	// Assets are the worker's URLs and the model files' sizes.
	Assets Assets
}

// Handler returns the go-app handler of the app. Every icon is a local file
// (go-app's defaults are remote URLs), and every file the worker needs to
// classify is cacheable, so the installed app works offline. The ImageNet
// classifier (ImageNetFile) is deliberately not: go-app's service worker
// downloads every cacheable resource when it installs, on the first visit,
// and the classifier is needed only once someone turns on the ImageNet
// top-5; the worker caches it itself then.
func Handler(c HandlerConfig) *app.Handler {
	// The model page's route too: go-app's service worker caches "/" only,
	// so opening /model directly while offline failed.
	cacheable := []string{WorkerJS, ClassifierWasm, BackboneFile, HeadFile, ModelPath}
	if c.Assets.Kernels != "" {
		cacheable = append(cacheable, KernelsWasm)
	}
	return &app.Handler{
		Name:            "Posterity",
		ShortName:       "Posterity",
		Title:           "Posterity — movie-poster genres, on your device",
		Description:     "Drop movie posters and see their genres with confidences, computed in your browser. Nothing is uploaded; works offline.",
		Lang:            "en",
		BackgroundColor: "#f7f6f2",
		ThemeColor:      "#1d1b24",
		LoadingLabel:    "Loading Posterity… {progress}%",
		Icon: app.Icon{
			Default:  IconDefault,
			Large:    IconLarge,
			Maskable: IconMaskable,
			SVG:      IconSVG,
		},
		Styles:                []string{StyleSheet},
		CacheableResources:    cacheable,
		RawHeaders:            []string{`<meta http-equiv="Content-Security-Policy" content="` + metaCSP + `">`},
		Env:                   c.Assets.Env(),
		Resources:             c.Resources,
		Version:               c.Version,
		ServiceWorkerTemplate: serviceWorkerJS,
	}
}

// Describe returns the handler's settings other than its Version as text.
// The server hashes it into the version, so that a change to the page's
// setup reaches installed apps even when no served file changed.
func Describe(h *app.Handler) string {
	keys := make([]string, 0, len(h.Env))
	for k := range h.Env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	env := make([]string, len(keys))
	for i, k := range keys {
		env[i] = k + "=" + h.Env[k]
	}
	return fmt.Sprintf("%q %q %q %q %q %q %q %q %+v %q %q %q %q %q",
		h.Name, h.ShortName, h.Title, h.Description, h.Lang, h.BackgroundColor, h.ThemeColor,
		h.LoadingLabel, h.Icon, h.Styles, h.CacheableResources, h.RawHeaders, env, h.ServiceWorkerTemplate)
}
