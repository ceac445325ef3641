package main

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"image"
	"image/draw"
	_ "image/png" // the golden posters
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"posterity/model/imageprep"
)

// modelSHA256 is the sha256 of mobilenetv2-12-int8.onnx
// (../shared/models/SHA256SUMS).
const modelSHA256 = "cc028fe6cae7bc11a4ff53cfc9b79c920e8be65ce33a904ec3e2a8f66d77f95f"

// poster is one golden poster in every form an engine takes it.
type poster struct {
	ID   string
	RGBA []byte    // 224×224 straight RGBA, the golden PNG's pixels
	F32  []float32 // imageprep.Normalize of those pixels, NCHW: ORT's input
	JPEG []byte    // the source JPEG from the data set, for the end-to-end runs
	f32  string    // path of F32 as a file, for node
}

// checkModel reads the int8 model and checks its sha256.
func checkModel(p string) ([]byte, error) {
	b, err := os.ReadFile(p)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(b)
	if got := hex.EncodeToString(sum[:]); got != modelSHA256 {
		return nil, fmt.Errorf("%s: sha256 %s, want %s", p, got, modelSHA256)
	}
	return b, nil
}

// loadPosters reads the 12 golden posters (shared/models/golden/posters) and
// their source JPEGs (shared/data/posters/images), and writes each input
// tensor under dir for node.
func loadPosters(shared, dir string) ([]poster, error) {
	pngs, err := filepath.Glob(filepath.Join(shared, "models", "golden", "posters", "*.png"))
	if err != nil || len(pngs) == 0 {
		return nil, fmt.Errorf("no golden posters under %s/models/golden/posters", shared)
	}
	sort.Strings(pngs)
	var out []poster
	for _, p := range pngs {
		id := strings.TrimSuffix(filepath.Base(p), ".png")
		f, err := os.Open(p)
		if err != nil {
			return nil, err
		}
		m, _, err := image.Decode(f)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		if b := m.Bounds(); b.Dx() != imageprep.Size || b.Dy() != imageprep.Size {
			return nil, fmt.Errorf("%s is %v, want %d×%d", p, b, imageprep.Size, imageprep.Size)
		}
		rgba := image.NewNRGBA(image.Rect(0, 0, imageprep.Size, imageprep.Size))
		draw.Draw(rgba, rgba.Bounds(), m, m.Bounds().Min, draw.Src)
		rgb := make([]uint8, 3*imageprep.Size*imageprep.Size)
		for i := 0; i < imageprep.Size*imageprep.Size; i++ {
			copy(rgb[3*i:3*i+3], rgba.Pix[4*i:4*i+3])
		}
		ps := poster{ID: id, RGBA: rgba.Pix, F32: make([]float32, 3*imageprep.Size*imageprep.Size)}
		imageprep.Normalize(rgb, ps.F32)
		if ps.JPEG, err = os.ReadFile(filepath.Join(shared, "data", "posters", "images", id+".jpg")); err != nil {
			return nil, fmt.Errorf("the golden poster's source JPEG: %w", err)
		}
		ps.f32 = filepath.Join(dir, id+".f32")
		if err := os.WriteFile(ps.f32, f32Bytes(ps.F32), 0o644); err != nil {
			return nil, err
		}
		out = append(out, ps)
	}
	return out, nil
}

// f32Bytes is v in little-endian bytes (a Float32Array's memory).
func f32Bytes(v []float32) []byte {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(x))
	}
	return b
}

// spreadJPEGs returns n JPEG paths spread evenly over the data set's sorted
// images, for the memory run.
func spreadJPEGs(shared string, n int) ([]string, error) {
	names, err := filepath.Glob(filepath.Join(shared, "data", "posters", "images", "*.jpg"))
	if err != nil {
		return nil, err
	}
	if len(names) < n {
		return nil, fmt.Errorf("%d posters under %s/data/posters/images, want at least %d", len(names), shared, n)
	}
	sort.Strings(names)
	out := make([]string, n)
	for i := range out {
		out[i] = names[i*len(names)/n]
	}
	return out, nil
}

// copyDir copies the regular files of src (following links) into dst.
func copyDir(dst, src string) error {
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return err
	}
	ents, err := os.ReadDir(src)
	if err != nil {
		return err
	}
	for _, e := range ents {
		in, err := os.Open(filepath.Join(src, e.Name()))
		if err != nil {
			return err
		}
		st, err := in.Stat()
		if err != nil || !st.Mode().IsRegular() {
			in.Close()
			continue
		}
		out, err := os.Create(filepath.Join(dst, e.Name()))
		if err != nil {
			in.Close()
			return err
		}
		_, err = io.Copy(out, in)
		in.Close()
		if cerr := out.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
	}
	return nil
}
