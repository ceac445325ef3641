package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// chrome is one headless Chromium with a fresh profile.
type chrome struct {
	ctx     context.Context
	cancel  func()
	version string
	mu      sync.Mutex
	logs    *strings.Builder
}

// startChrome starts Chromium with the flags that work on this machine
// (design.md §3) and a fresh user-data-dir under dir.
func startChrome(path, dir string, extra ...chromedp.ExecAllocatorOption) (*chrome, error) {
	profile, err := os.MkdirTemp(dir, "profile-")
	if err != nil {
		return nil, err
	}
	opts := append([]chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.UserDataDir(profile),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.WindowSize(1280, 900),
	}, extra...)
	actx, acancel := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	c := &chrome{ctx: ctx, cancel: func() { cancel(); acancel(); os.RemoveAll(profile) }, logs: &strings.Builder{}}
	if err := chromedp.Do(ctx); err != nil {
		c.cancel()
		return nil, fmt.Errorf("starting %s: %w", path, err)
	}
	v, err := chromedp.CallBrowser(ctx, browser.GetVersion, cdp.Empty{})
	if err != nil {
		c.cancel()
		return nil, err
	}
	c.version = v.Product
	err = chromedp.Listen(ctx, func(ev any) {
		c.mu.Lock()
		defer c.mu.Unlock()
		switch ev := ev.(type) {
		case *runtime.EventExceptionThrown:
			fmt.Fprintf(c.logs, "exception: %s", ev.ExceptionDetails.Text)
			if ex := ev.ExceptionDetails.Exception; ex != nil {
				fmt.Fprintf(c.logs, " %s", ex.Description)
			}
			c.logs.WriteString("\n")
		case *runtime.EventConsoleAPICalled:
			var parts []string
			for _, a := range ev.Args {
				parts = append(parts, string(a.Value)+a.Description)
			}
			fmt.Fprintf(c.logs, "console.%s: %s\n", ev.Type, strings.Join(parts, " "))
		}
	})
	if err != nil {
		c.cancel()
		return nil, err
	}
	return c, nil
}

// eval evaluates a JavaScript expression, awaiting a promise, and decodes
// its JSON value into out (nil: ignore it).
func (c *chrome) eval(timeout time.Duration, expr string, out any) error {
	ctx, cancel := context.WithTimeout(c.ctx, timeout)
	defer cancel()
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[json.RawMessage]("(async () => JSON.stringify(await ("+expr+")))()", chromedp.EvalAwaitPromise))
	if err != nil {
		return fmt.Errorf("%.60s…: %w\n%s", expr, err, c.log())
	}
	if out == nil {
		return nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return fmt.Errorf("%.60s…: %w", expr, err)
	}
	return json.Unmarshal([]byte(s), out)
}

// log returns the page's exceptions and console output so far.
func (c *chrome) log() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.logs.String()
}

// waitFor polls a JavaScript condition until it is truthy.
func (c *chrome) waitFor(timeout time.Duration, cond string) error {
	_, err := chromedp.Run(c.ctx, chromedp.Poll[chromedp.Void](cond,
		chromedp.WithPollingTimeout(timeout), chromedp.WithPollingInterval(50*time.Millisecond)))
	if err != nil {
		return fmt.Errorf("waiting for %s: %w\n%s", cond, err, c.log())
	}
	return nil
}

// jsonArg is v as a JavaScript literal.
func jsonArg(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// engineCfg is one engine of the browser rounds, as bench.js takes it.
type engineCfg struct {
	Name         string `json:"name"`
	Kind         string `json:"kind"` // ours, stages, real, ort
	Base         string `json:"base,omitempty"`
	Kernels      bool   `json:"kernels,omitempty"`
	Decode       string `json:"decode,omitempty"`
	BackboneSize int64  `json:"backboneSize,omitempty"`
	HeadSize     int64  `json:"headSize,omitempty"`
	Threads      int    `json:"threads,omitempty"`
	Model        string `json:"model,omitempty"`
}

// stageTimes is one poster's breakdown from posterityBenchStages.
type stageTimes struct {
	Decode     float64 `json:"decode"`
	Preprocess float64 `json:"preprocess"`
	Backbone   float64 `json:"backbone"`
	Head       float64 `json:"head"`
	Flip       bool    `json:"flip"`
}

// browserResult is everything the browser rounds measured.
type browserResult struct {
	Times    map[string][]float64 // engine → ms per poster
	Stages   map[string][]stageTimes
	Info     map[string]json.RawMessage
	Isolated bool
	Top1     []struct {
		Name string         `json:"name"`
		Top1 map[string]int `json:"top1"`
	}
}

// minRounds is the fewest counted rounds a time budget may cut a phase to.
const minRounds = 20

// runBrowserRounds loads every engine in one page and runs warmup+rounds
// interleaved rounds, stopping early after budget once minRounds are counted.
func runBrowserRounds(c *chrome, base string, engines []engineCfg, posters []poster, warmup, rounds int, budget time.Duration, logf func(string, ...any)) (*browserResult, error) {
	if err := chromedp.Do(c.ctx, chromedp.Navigate(base+"/h/index.html")); err != nil {
		return nil, err
	}
	if err := c.waitFor(30*time.Second, `window.bench`); err != nil {
		return nil, err
	}
	type posterURLs struct {
		Name string `json:"name"`
		RGBA string `json:"rgba"`
		F32  string `json:"f32"`
		JPEG string `json:"jpeg"`
	}
	var ps []posterURLs
	for _, p := range posters {
		ps = append(ps, posterURLs{p.ID, "/data/" + p.ID + ".rgba", "/data/" + p.ID + ".f32", "/data/" + p.ID + ".jpg"})
	}
	var setup struct {
		Info      map[string]json.RawMessage `json:"info"`
		Isolated  bool                       `json:"isolated"`
		UserAgent string                     `json:"userAgent"`
	}
	cfg := map[string]any{"posters": ps, "engines": engines}
	if err := c.eval(5*time.Minute, "bench.setup("+jsonArg(cfg)+")", &setup); err != nil {
		return nil, err
	}
	if !setup.Isolated {
		return nil, fmt.Errorf("the bench page is not cross-origin isolated (no COOP/COEP?)")
	}
	res := &browserResult{Times: map[string][]float64{}, Stages: map[string][]stageTimes{}, Info: setup.Info, Isolated: setup.Isolated}
	t0 := time.Now()
	for i := 0; i < warmup+rounds; i++ {
		if i-warmup >= minRounds && time.Since(t0) > budget {
			logf("browser: time budget spent, stopping after %d rounds", i-warmup)
			break
		}
		var out map[string]json.RawMessage
		if err := c.eval(5*time.Minute, fmt.Sprintf("bench.round(%d)", i), &out); err != nil {
			return nil, err
		}
		if i < warmup {
			continue
		}
		for name, v := range out {
			var ms float64
			if err := json.Unmarshal(v, &ms); err == nil {
				res.Times[name] = append(res.Times[name], ms)
				continue
			}
			var st stageTimes
			if err := json.Unmarshal(v, &st); err != nil {
				return nil, fmt.Errorf("%s: %s: %w", name, v, err)
			}
			res.Stages[name] = append(res.Stages[name], st)
		}
		if (i+1)%10 == 0 {
			logf("browser: round %d/%d (%.0f s)", i+1, warmup+rounds, time.Since(t0).Seconds())
		}
	}
	if err := c.eval(time.Minute, "bench.top1()", &res.Top1); err != nil {
		return nil, err
	}
	return res, nil
}

// memPoint is the worker's memory after some classifications.
type memPoint struct {
	Count     int     `json:"count"`
	MS        float64 `json:"ms"`
	WasmBytes int64   `json:"wasmBytes"`
	UA        struct {
		Bytes int64  `json:"bytes"`
		Total int64  `json:"total"`
		Error string `json:"error"`
	} `json:"ua"`
}

// runMemory classifies the files with a fresh worker of engine e and
// returns its memory at each checkpoint, stopping after the checkpoint at
// which the deadline has passed.
func runMemory(c *chrome, e engineCfg, files []string, checkpoints []int, deadline time.Time) ([]memPoint, error) {
	cfg := map[string]any{"engine": e, "files": files}
	if err := c.eval(2*time.Minute, "bench.memoryStart("+jsonArg(cfg)+")", nil); err != nil {
		return nil, err
	}
	var out []memPoint
	for _, n := range checkpoints {
		var p memPoint
		if err := c.eval(12*time.Minute, fmt.Sprintf("bench.memoryTo(%d)", n), &p); err != nil {
			return out, err
		}
		out = append(out, p)
		if time.Now().After(deadline) {
			break
		}
	}
	return out, nil
}
