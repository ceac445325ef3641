package backbone

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"posterity/internal/testshared"
	"posterity/model/mobilenet"
)

func sharedModels(t *testing.T) string {
	return filepath.Join(testshared.Dir(t, "models/"+FileName), "models")
}

// TestObtainFallsBackToURL serves the model from a local test server when
// no local copy exists, and refuses a server that returns other bytes.
func TestObtainFallsBackToURL(t *testing.T) {
	good, err := os.ReadFile(filepath.Join(sharedModels(t), FileName))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/good":
			w.Write(good)
		case "/bad":
			w.Write(good[:1000])
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	var log bytes.Buffer
	b, err := Obtain(context.Background(), []string{t.TempDir()}, []string{srv.URL + "/missing", srv.URL + "/bad", srv.URL + "/good"}, srv.Client(), &log)
	if err != nil {
		t.Fatal(err, log.String())
	}
	if !bytes.Equal(b, good) {
		t.Fatal("wrong bytes")
	}
	_, err = Obtain(context.Background(), nil, []string{srv.URL + "/bad"}, srv.Client(), &log)
	if !errors.Is(err, ErrChecksum) {
		t.Fatalf("bad download: %v, want ErrChecksum", err)
	}
}

// TestBuildWritesLoadableFiles converts the shared model and checks the two
// files round-trip, and that a corrupted local copy is refused.
func TestBuildWritesLoadableFiles(t *testing.T) {
	out := filepath.Join(t.TempDir(), "backbone.pstb")
	in := ImageNetPath(out)
	var log bytes.Buffer
	if err := Build(context.Background(), []string{sharedModels(t)}, nil, out, in, &log); err != nil {
		t.Fatal(err)
	}
	n, err := mobilenet.LoadFiles(out, in)
	if err != nil {
		t.Fatal(err)
	}
	if n.SourceSHA256 != SHA256 || !n.HasImageNet() {
		t.Errorf("source sha %s, ImageNet classifier %v", n.SourceSHA256, n.HasImageNet())
	}
	// A second run finds both files up to date; a missing classifier file
	// is written again.
	log.Reset()
	if err := Build(context.Background(), []string{sharedModels(t)}, nil, out, in, &log); err != nil || !bytes.Contains(log.Bytes(), []byte("up to date")) {
		t.Errorf("second build: %v\n%s", err, log.String())
	}
	os.Remove(in)
	log.Reset()
	if err := Build(context.Background(), []string{sharedModels(t)}, nil, out, in, &log); err != nil || !bytes.Contains(log.Bytes(), []byte("wrote "+in)) {
		t.Errorf("build without the classifier file: %v\n%s", err, log.String())
	}
	bad := t.TempDir()
	b, _ := os.ReadFile(filepath.Join(sharedModels(t), FileName))
	b[len(b)/2] ^= 1
	os.WriteFile(filepath.Join(bad, FileName), b, 0o644)
	if _, err := Obtain(context.Background(), []string{bad}, nil, nil, &log); !errors.Is(err, ErrChecksum) {
		t.Errorf("corrupted local copy: %v, want ErrChecksum", err)
	}
}
