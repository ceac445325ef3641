package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sync"
	"sync/atomic"
	"time"

	"posterity/model/mobilenet"
)

// nodeORT is a running harness/ort-node.js.
type nodeORT struct {
	cmd *exec.Cmd
	in  io.WriteCloser
	out *bufio.Scanner
}

// startNodeORT starts the onnxruntime-node runner on the two models and the
// input tensors.
func startNodeORT(script, modules, int8Model, f32Model string, inputs []string) (*nodeORT, error) {
	args := append([]string{script, modules, int8Model, f32Model}, inputs...)
	cmd := exec.Command("node", args...)
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting node: %w", err)
	}
	sc := bufio.NewScanner(out)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	return &nodeORT{cmd: cmd, in: in, out: sc}, nil
}

// call sends one command and decodes the answer into out.
func (n *nodeORT) call(cmd map[string]any, out any) error {
	b, _ := json.Marshal(cmd)
	if _, err := n.in.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("ort-node.js: %w", err)
	}
	if !n.out.Scan() {
		return fmt.Errorf("ort-node.js exited: %v", n.out.Err())
	}
	var e struct {
		Error string `json:"error"`
	}
	if json.Unmarshal(n.out.Bytes(), &e) == nil && e.Error != "" {
		return fmt.Errorf("ort-node.js: %s", e.Error)
	}
	return json.Unmarshal(n.out.Bytes(), out)
}

// close ends the runner.
func (n *nodeORT) close() {
	n.in.Close()
	n.cmd.Wait()
}

// throughput runs n forward passes to the 1280-d feature on len(engines)
// goroutines (one Engine each) and returns posters per second.
func throughput(engines []*mobilenet.Engine, inputs [][]float32, n int) (float64, error) {
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, len(engines))
	t0 := time.Now()
	for _, e := range engines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			feat := make([]float32, mobilenet.FeatureDim)
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				if _, err := e.Features(inputs[i%len(inputs)], feat); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	d := time.Since(t0)
	select {
	case err := <-errs:
		return 0, err
	default:
	}
	return float64(n) / d.Seconds(), nil
}

// nativeResult holds posters/s per configuration.
type nativeResult map[string][]float64

// Native configurations, in the order of a round.
const (
	natOurs1    = "ours, 1 goroutine"
	natOurs2    = "ours, 2 goroutines"
	natORT1     = "onnxruntime-node, intraOp 1"
	natORT2     = "onnxruntime-node, intraOp 2"
	natORTPair  = "onnxruntime-node, 2 sessions × 1 thread"
	nativeBatch = 12 // posters per timed block on one core (twice that on two)
)

// runNative alternates our engine and onnxruntime-node, block by block.
// It stops after budget once minRounds rounds are counted.
func runNative(net *mobilenet.Net, ort *nodeORT, posters []poster, warmup, rounds int, budget time.Duration) (nativeResult, error) {
	inputs := make([][]float32, len(posters))
	for i, p := range posters {
		inputs[i] = p.F32
	}
	e1 := []*mobilenet.Engine{net.NewEngine()}
	e2 := []*mobilenet.Engine{net.NewEngine(), net.NewEngine()}
	type step struct {
		name string
		run  func() (float64, error)
	}
	ortStep := func(mode string, n int) func() (float64, error) {
		return func() (float64, error) {
			var r struct {
				MS float64 `json:"ms"`
			}
			if err := ort.call(map[string]any{"cmd": "time", "mode": mode, "n": n}, &r); err != nil {
				return 0, err
			}
			return float64(n) / (r.MS / 1000), nil
		}
	}
	steps := []step{
		{natOurs1, func() (float64, error) { return throughput(e1, inputs, nativeBatch) }},
		{natORT1, ortStep("intra1", nativeBatch)},
		{natOurs2, func() (float64, error) { return throughput(e2, inputs, 2*nativeBatch) }},
		{natORT2, ortStep("intra2", 2*nativeBatch)},
		{natORTPair, ortStep("pair", 2*nativeBatch)},
	}
	res := nativeResult{}
	t0 := time.Now()
	for i := 0; i < warmup+rounds; i++ {
		if i-warmup >= minRounds && time.Since(t0) > budget {
			break
		}
		for k := range steps {
			s := steps[(i+k)%len(steps)]
			v, err := s.run()
			if err != nil {
				return nil, fmt.Errorf("%s: %w", s.name, err)
			}
			if i >= warmup {
				res[s.name] = append(res[s.name], v)
			}
		}
	}
	return res, nil
}
