//go:build !(js && wasm)

package main

import (
	"fmt"
	"os"
)

// main explains itself: the classifier only runs in a browser worker. The
// rest of the package builds natively so that its tests run without a
// browser.
func main() {
	fmt.Fprintln(os.Stderr, "classifier: build with GOOS=js GOARCH=wasm (make static); it runs in static/web/worker.js")
	os.Exit(2)
}
