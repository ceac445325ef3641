// Command web is Posterity's page: the go-app program compiled to
// static/web/app.wasm (GOOS=js GOARCH=wasm; see "make static"). It only
// renders; posters are classified by the worker (../wasm). The components
// live in package ui, which the server also compiles to prerender the page.
package main

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"posterity/web/ui"
)

func main() {
	ui.Register()
	app.RunWhenOnBrowser()
}
