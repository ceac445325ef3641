// Package backbone obtains the pretrained MobileNetV2 and turns it into the
// engine's weight file: from a local copy (../shared/models) when one
// exists, else from its public URLs, checking the sha256 either way.
package backbone

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"posterity/model/mobilenet"
	"posterity/model/onnx"
)

// The model this project is built on (shared/models/README.md).
const (
	FileName = "mobilenetv2-12-int8.onnx"
	SHA256   = "cc028fe6cae7bc11a4ff53cfc9b79c920e8be65ce33a904ec3e2a8f66d77f95f"
	Size     = 3655033
)

// URLs are the public locations of FileName, tried in order.
func URLs() []string {
	return []string{
		"https://huggingface.co/onnxmodelzoo/mobilenetv2-12-int8/resolve/main/mobilenetv2-12-int8.onnx",
		"https://github.com/onnx/models/raw/main/validated/vision/classification/mobilenet/model/mobilenetv2-12-int8.onnx",
	}
}

// ErrChecksum reports bytes that are not the expected model.
var ErrChecksum = errors.New("backbone: sha256 mismatch")

// Verify checks b against the expected size and sha256.
func Verify(b []byte, source string) error {
	sum := sha256.Sum256(b)
	if got := hex.EncodeToString(sum[:]); got != SHA256 {
		return fmt.Errorf("%w: %s has sha256 %s (%d bytes), want %s (%d bytes)", ErrChecksum, source, got, len(b), SHA256, Size)
	}
	return nil
}

// Obtain returns the verified ONNX bytes: from localDirs (the first that
// holds FileName), else downloaded from urls. log receives one line per
// source tried.
func Obtain(ctx context.Context, localDirs, urls []string, client *http.Client, log io.Writer) ([]byte, error) {
	var errs []error
	for _, d := range localDirs {
		p := filepath.Join(d, FileName)
		b, err := os.ReadFile(p)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err == nil {
			err = Verify(b, p)
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		fmt.Fprintf(log, "backbone: using %s (sha256 ok)\n", p)
		return b, nil
	}
	if client == nil {
		client = &http.Client{Timeout: 2 * time.Minute}
	}
	for _, u := range urls {
		fmt.Fprintf(log, "backbone: downloading %s\n", u)
		b, err := download(ctx, client, u)
		if err == nil {
			err = Verify(b, u)
		}
		if err != nil {
			errs = append(errs, err)
			fmt.Fprintf(log, "backbone: %v\n", err)
			continue
		}
		return b, nil
	}
	return nil, fmt.Errorf("backbone: no verified copy of %s found: %w", FileName, errors.Join(errs...))
}

func download(ctx context.Context, c *http.Client, url string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, fmt.Errorf("backbone: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("backbone: %s: %s", url, resp.Status)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, 2*Size))
	if err != nil {
		return nil, fmt.Errorf("backbone: %s: %w", url, err)
	}
	return b, nil
}

// Convert decodes verified ONNX bytes and converts them to the engine's Net.
func Convert(b []byte) (*mobilenet.Net, error) {
	if err := Verify(b, "model"); err != nil {
		return nil, err
	}
	m, err := onnx.Decode(b)
	if err != nil {
		return nil, err
	}
	return mobilenet.Convert(m, SHA256)
}

// ImageNetPath is where Build writes the ImageNet classifier by default:
// imagenet.pstb beside the backbone file.
func ImageNetPath(backboneOut string) string {
	return filepath.Join(filepath.Dir(backboneOut), "imagenet.pstb")
}

// Build obtains the model, converts it, and writes its two weight files
// atomically: the backbone up to the feature map to out, and the ImageNet
// classifier (only the ImageNet top-5 needs it) to imagenetOut. It skips
// the work when both are already valid files made from the same model by
// this format version.
func Build(ctx context.Context, localDirs, urls []string, out, imagenetOut string, log io.Writer) error {
	if upToDate(out, imagenetOut) {
		old, _ := os.ReadFile(out)
		fmt.Fprintf(log, "backbone: %s and %s are up to date (weights %s…)\n", out, imagenetOut, mobilenet.Checksum(old)[:12])
		return nil
	}
	b, err := Obtain(ctx, localDirs, urls, nil, log)
	if err != nil {
		return err
	}
	n, err := Convert(b)
	if err != nil {
		return err
	}
	for _, p := range []string{out, imagenetOut} {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
	}
	if err := n.WriteFiles(out, imagenetOut); err != nil {
		return err
	}
	if _, err := mobilenet.LoadFiles(out, imagenetOut); err != nil {
		return fmt.Errorf("backbone: the files were not written correctly: %w", err)
	}
	for _, p := range []string{out, imagenetOut} {
		enc, _ := os.ReadFile(p)
		fmt.Fprintf(log, "backbone: wrote %s (%d bytes, weights %s…)\n", p, len(enc), mobilenet.Checksum(enc)[:12])
	}
	return nil
}

// upToDate reports whether both files load, belong together and come from
// the expected model.
func upToDate(out, imagenetOut string) bool {
	n, err := mobilenet.LoadFiles(out, imagenetOut)
	return err == nil && n.SourceSHA256 == SHA256
}
