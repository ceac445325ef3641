package ui

import "github.com/maxence-charriere/go-app/v10/pkg/app"

// renderFault is the model's error state (issue #6): the engine's wasm did
// not load, the weight reader refused a file (a flipped bit, a truncated
// download, another version), or the worker crashed. It says what went
// wrong and offers Retry, so the page is never blank or silently dead.
func (p *Page) renderFault() app.UI {
	return app.Div().Class("model-state error").Role("alert").Body(
		app.P().ID("fault").Text("The model could not be loaded: "+p.fatal),
		app.Button().Type("button").ID("retry").Class("button primary").Text("Retry").OnClick(p.onRetry),
	)
}

// onRetry starts again from a clean slate: it deletes the worker's files
// (worker.js, the engine, the model) from the service worker's caches, so
// that a corrupt copy cached there is downloaded again, then reloads the
// page. The page's own files stay cached, so a retry offline still shows
// the page. Posters already shown are lost with the reload.
func (p *Page) onRetry(ctx app.Context, _ app.Event) {
	a := p.assets
	urls := []string{a.Worker, a.Classifier, a.Kernels, a.Backbone, a.Head}
	ctx.Async(func() {
		if caches := app.Window().Get("caches"); caches.Truthy() {
			if names, ok := await(caches.Call("keys")); ok {
				for i := 0; i < names.Length(); i++ {
					c, ok := await(caches.Call("open", names.Index(i)))
					if !ok {
						continue
					}
					for _, u := range urls {
						if u != "" {
							await(c.Call("delete", u))
						}
					}
				}
			}
		}
		app.Window().Get("location").Call("reload")
	})
}

// await blocks the calling goroutine (never the UI's) until promise
// settles; ok is false when it was rejected.
func await(promise app.Value) (v app.Value, ok bool) {
	done := make(chan struct{})
	then := app.FuncOf(func(_ app.Value, args []app.Value) any {
		v, ok = args[0], true
		close(done)
		return nil
	})
	catch := app.FuncOf(func(_ app.Value, args []app.Value) any {
		close(done)
		return nil
	})
	defer then.Release()
	defer catch.Release()
	promise.Call("then", then, catch)
	<-done
	return v, ok
}
