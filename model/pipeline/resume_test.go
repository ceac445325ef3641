package pipeline

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"posterity/model/features"
	"posterity/model/head"
	"posterity/model/imageprep"
	"posterity/model/train"
)

// When POSTERITY_EXTRACT_DIR is set, this "test" is the child process of
// TestKillDuringExtraction: it extracts features into the given cache
// until it is killed.
func TestExtractChild(t *testing.T) {
	dir := os.Getenv("POSTERITY_EXTRACT_DIR")
	if dir == "" {
		return // not a child: nothing to do (the parent test runs this)
	}
	opt := LoadOptions{Mode: head.MultiLabel, Genres: []string{"Blue", "Red"},
		Features: features.Options{CacheDir: os.Getenv("POSTERITY_EXTRACT_CACHE"), Policy: imageprep.Squash, Workers: 1}}
	if _, err := Load(context.Background(), testNet(t), dir, opt, io.Discard); err != nil {
		t.Fatal(err)
	}
}

// TestKillDuringExtraction kills a feature extraction with SIGKILL partway,
// reruns it, and checks that the rerun recomputes only what was not
// finished and ends with exactly the features — and so exactly the head —
// of an uninterrupted run.
func TestKillDuringExtraction(t *testing.T) {
	if os.Getenv("POSTERITY_EXTRACT_DIR") != "" {
		return
	}
	net := testNet(t)
	dir := writeFolder(t, 120)
	cache := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestExtractChild$")
	cmd.Env = append(os.Environ(), "POSTERITY_EXTRACT_DIR="+dir, "POSTERITY_EXTRACT_CACHE="+cache)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Wait until some records are on disk, then kill without warning.
	deadline := time.Now().Add(2 * time.Minute)
	for {
		logs, _ := filepath.Glob(filepath.Join(cache, "*", "features.log"))
		if len(logs) == 1 {
			if st, err := os.Stat(logs[0]); err == nil && st.Size() > 20*(1280*4+44) {
				break
			}
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatal("the child wrote no features in 2 minutes")
		}
		time.Sleep(5 * time.Millisecond)
	}
	cmd.Process.Kill()
	werr := cmd.Wait()
	if werr == nil || !strings.Contains(werr.Error(), "killed") {
		t.Logf("child ended with %v (it may have finished before the kill)", werr)
	}

	opt := LoadOptions{Mode: head.MultiLabel, Genres: []string{"Blue", "Red"},
		Features: features.Options{CacheDir: cache, Policy: imageprep.Squash}}
	var log bytes.Buffer
	resumed, err := Load(context.Background(), net, dir, opt, &log)
	if err != nil {
		t.Fatal(err)
	}
	t.Log(strings.TrimSpace(log.String()))
	var cached, fresh int
	for _, l := range strings.Split(log.String(), "\n") {
		if strings.HasPrefix(l, "features: ") && strings.Contains(l, "from the cache") {
			var failed int
			if _, err := fmt.Sscanf(l, "features: %d from the cache, %d computed, %d failed", &cached, &fresh, &failed); err != nil {
				t.Fatal(err)
			}
		}
	}
	if cached < 20 || cached+fresh != 120 {
		t.Errorf("resumed run: %d cached + %d computed, want ≥ 20 cached and 120 in all", cached, fresh)
	}
	opt.Features.CacheDir = t.TempDir()
	clean, err := Load(context.Background(), net, dir, opt, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	for i := range clean.X {
		if clean.X[i] != resumed.X[i] {
			t.Fatalf("feature value %d differs between the resumed and the uninterrupted run", i)
		}
	}
	spec := SplitSpec{Seed: 5, ValFrac: 0.2, TestFrac: 0.2}
	cfg := train.DefaultConfig()
	cfg.Hidden, cfg.Epochs, cfg.Patience, cfg.BatchSize = 16, 5, 0, 32
	heads := make([][]byte, 2)
	for i, d := range []*Data{clean, resumed} {
		sp, _ := d.Split(spec)
		f, err := d.Train(cfg, sp, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		f.Head.Created = "fixed"
		heads[i], _ = f.Head.Marshal(head.SaveOptions{})
	}
	if !bytes.Equal(heads[0], heads[1]) {
		t.Error("the resumed run trained a different head")
	}
}
