package featcache

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

var testMeta = Meta{Backbone: "sha256-of-weights", PrepVersion: 1, Variant: "squash", Dim: 8}

// hashOf returns a distinct hash for i.
func hashOf(i int) Hash { return HashBytes([]byte(fmt.Sprint("image", i))) }

// vecOf returns a distinct vector of length dim for i.
func vecOf(i, dim int) []float32 {
	v := make([]float32, dim)
	for j := range v {
		v[j] = float32(i) + float32(j)/16
	}
	return v
}

// fill opens a cache under dir and puts records 0..n-1.
func fill(t testing.TB, dir string, meta Meta, n int) {
	t.Helper()
	c, err := Open(dir, meta)
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if err := c.Put(hashOf(i), vecOf(i, meta.Dim)); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
}

// checkRecords fails unless c holds exactly the records in want.
func checkRecords(t *testing.T, c *Cache, want []int) {
	t.Helper()
	if c.Len() != len(want) {
		t.Errorf("Len = %d, want %d", c.Len(), len(want))
	}
	for _, i := range want {
		v, ok := c.Get(hashOf(i))
		if !ok || !slices.Equal(v, vecOf(i, c.Meta().Dim)) {
			t.Errorf("record %d: got %v, %v", i, v, ok)
		}
	}
}

func seq(lo, hi int) []int {
	var s []int
	for i := lo; i < hi; i++ {
		s = append(s, i)
	}
	return s
}

func TestRoundTripAndReopen(t *testing.T) {
	dir := t.TempDir()
	c, err := Open(dir, testMeta)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 10 {
		if err := c.Put(hashOf(i), vecOf(i, 8)); err != nil {
			t.Fatal(err)
		}
	}
	checkRecords(t, c, seq(0, 10))
	if _, ok := c.Get(hashOf(99)); ok {
		t.Error("Get found a hash never put")
	}
	// Get returns a copy.
	v, _ := c.Get(hashOf(1))
	v[0] = -1
	if v, _ := c.Get(hashOf(1)); !slices.Equal(v, vecOf(1, 8)) {
		t.Errorf("changing a Get result changed the cache: %v", v)
	}
	if err := c.Put(hashOf(0), make([]float32, 7)); err == nil {
		t.Error("Put accepted a vector of the wrong length")
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.Put(hashOf(11), vecOf(11, 8)); err != ErrClosed {
		t.Errorf("Put after Close: %v, want ErrClosed", err)
	}

	c, err = Open(dir, testMeta)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	checkRecords(t, c, seq(0, 10))
	if s := c.Stats(); s != (Stats{Records: 10, Loaded: 10}) {
		t.Errorf("Stats after a clean reopen = %+v", s)
	}
	// A repeated hash replaces the features, also after a reopen.
	if err := c.Put(hashOf(3), vecOf(33, 8)); err != nil {
		t.Fatal(err)
	}
	c.Close()
	c, err = Open(dir, testMeta)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if v, _ := c.Get(hashOf(3)); !slices.Equal(v, vecOf(33, 8)) {
		t.Errorf("replaced record reads %v", v)
	}
	if s := c.Stats(); s.Records != 10 || s.Loaded != 11 || s.Duplicates != 1 {
		t.Errorf("Stats = %+v, want 10 records from 11 loaded, 1 duplicate", s)
	}
}

// logPath returns the log file of the cache for meta under dir.
func logPath(dir string, meta Meta) string {
	return filepath.Join(dir, meta.ID(), logFile)
}

func TestTruncatedTail(t *testing.T) {
	base := t.TempDir()
	fill(t, base, testMeta, 5)
	full, err := os.ReadFile(logPath(base, testMeta))
	if err != nil {
		t.Fatal(err)
	}
	recSize := recordOverhead + 4*testMeta.Dim
	lastStart := len(full) - recSize
	// Cut the log at every byte offset inside the last record (a crash
	// mid-append): the four earlier records survive and the log is cut
	// back to where the last one began.
	dir := t.TempDir()
	fill(t, dir, testMeta, 0) // meta.json in place; the log is overwritten below
	for cut := lastStart; cut < len(full); cut++ {
		os.WriteFile(logPath(dir, testMeta), full[:cut], 0o644)
		c, err := Open(dir, testMeta)
		if err != nil {
			t.Fatalf("cut at %d: %v", cut, err)
		}
		checkRecords(t, c, seq(0, 4))
		if s := c.Stats(); s.TruncatedBytes != int64(cut-lastStart) || s.Corrupt != 0 {
			t.Errorf("cut at %d: Stats = %+v", cut, s)
		}
		// Appending after recovery gives a clean log.
		if err := c.Put(hashOf(4), vecOf(4, 8)); err != nil {
			t.Fatal(err)
		}
		c.Close()
		got, _ := os.ReadFile(logPath(dir, testMeta))
		if !bytes.Equal(got, full) {
			t.Fatalf("cut at %d: log after recovery and re-append differs from the original", cut)
		}
	}
}

func TestTruncatedHeader(t *testing.T) {
	base := t.TempDir()
	fill(t, base, testMeta, 0)
	full, _ := os.ReadFile(logPath(base, testMeta))
	dir := t.TempDir()
	fill(t, dir, testMeta, 0)
	for cut := range headerSize {
		os.WriteFile(logPath(dir, testMeta), full[:cut], 0o644)
		c, err := Open(dir, testMeta)
		if err != nil {
			t.Fatalf("header cut at %d: %v", cut, err)
		}
		c.Close()
	}
}

func TestCorruptMiddle(t *testing.T) {
	base := t.TempDir()
	fill(t, base, testMeta, 5)
	full, _ := os.ReadFile(logPath(base, testMeta))
	recSize := recordOverhead + 4*testMeta.Dim
	start := headerSize + 2*recSize // record 2 of 0..4
	// Flip every bit of record 2 in turn: it is dropped and reported, the
	// others are kept.
	dir := t.TempDir()
	fill(t, dir, testMeta, 0)
	for bit := range recSize * 8 {
		data := slices.Clone(full)
		data[start+bit/8] ^= 1 << (bit % 8)
		os.WriteFile(logPath(dir, testMeta), data, 0o644)
		c, err := Open(dir, testMeta)
		if err != nil {
			t.Fatalf("bit %d: %v", bit, err)
		}
		checkRecords(t, c, []int{0, 1, 3, 4})
		if s := c.Stats(); s.Corrupt != 1 || s.CorruptBytes != int64(recSize) || s.TruncatedBytes != 0 || s.Loaded != 4 {
			t.Fatalf("bit %d: Stats = %+v", bit, s)
		}
		if bit%50 != 0 {
			c.Close()
			continue
		}
		// Recomputing the dropped image puts it back (checked on a sample
		// of the bits: each check costs fsyncs).
		if err := c.Put(hashOf(2), vecOf(2, 8)); err != nil {
			t.Fatal(err)
		}
		c.Close()
		c, err = Open(dir, testMeta)
		if err != nil {
			t.Fatal(err)
		}
		checkRecords(t, c, seq(0, 5))
		c.Close()
	}
}

func TestConcurrentPut(t *testing.T) {
	dir := t.TempDir()
	c, err := Open(dir, testMeta)
	if err != nil {
		t.Fatal(err)
	}
	const workers, per = 8, 100 // 800 Puts: more than SyncEvery
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for k := range per {
				i := w*per + k
				if err := c.Put(hashOf(i), vecOf(i, 8)); err != nil {
					t.Error(err)
					return
				}
				c.Get(hashOf(i / 2))
				c.Len()
			}
		})
	}
	wg.Wait()
	checkRecords(t, c, seq(0, workers*per))
	c.Close()
	c, err = Open(dir, testMeta)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	checkRecords(t, c, seq(0, workers*per))
}

func TestKeys(t *testing.T) {
	dir := t.TempDir()
	other := []Meta{
		{Backbone: "other-weights", PrepVersion: 1, Variant: "squash", Dim: 8},
		{Backbone: testMeta.Backbone, PrepVersion: 2, Variant: "squash", Dim: 8},
		{Backbone: testMeta.Backbone, PrepVersion: 1, Variant: "squash+flip", Dim: 8},
		{Backbone: testMeta.Backbone, PrepVersion: 1, Variant: "squash", Dim: 16},
	}
	fill(t, dir, testMeta, 3)
	for _, m := range other {
		c, err := Open(dir, m)
		if err != nil {
			t.Fatal(err)
		}
		if c.Dir() == filepath.Join(dir, testMeta.ID()) {
			t.Errorf("%+v shares the directory of %+v", m, testMeta)
		}
		if c.Len() != 0 {
			t.Errorf("%+v serves %d records of another key", m, c.Len())
		}
		c.Close()
	}
	// A meta.json that disagrees with its directory name is refused.
	sub := filepath.Join(dir, testMeta.ID())
	b, _ := os.ReadFile(filepath.Join(sub, metaFile))
	os.WriteFile(filepath.Join(sub, metaFile), bytes.Replace(b, []byte(`"squash"`), []byte(`"crop"`), 1), 0o644)
	if _, err := Open(dir, testMeta); err == nil || !strings.Contains(err.Error(), "delete") {
		t.Errorf("mismatched meta.json: error = %v", err)
	}
}

func TestBadInputs(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		meta Meta
	}{
		{"no backbone", Meta{Dim: 8}},
		{"zero dim", Meta{Backbone: "b"}},
		{"huge dim", Meta{Backbone: "b", Dim: MaxDim + 1}},
	}
	for _, tc := range tests {
		if _, err := Open(dir, tc.meta); err == nil {
			t.Errorf("%s: Open succeeded", tc.name)
		}
	}
	// A log with a foreign header is refused, not overwritten.
	fill(t, dir, testMeta, 1)
	name := logPath(dir, testMeta)
	data, _ := os.ReadFile(name)
	binary.LittleEndian.PutUint32(data[8:], Version+1)
	os.WriteFile(name, data, 0o644)
	if _, err := Open(dir, testMeta); err == nil || !strings.Contains(err.Error(), "header") {
		t.Errorf("foreign header: error = %v", err)
	}
}

func TestHashFile(t *testing.T) {
	name := filepath.Join(t.TempDir(), "poster.jpg")
	os.WriteFile(name, []byte("abc"), 0o644)
	h, err := HashFile(name)
	if err != nil {
		t.Fatal(err)
	}
	// sha256("abc") from FIPS 180-2, appendix B.1.
	if want := "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"; h.String() != want {
		t.Errorf("HashFile = %s, want %s", h, want)
	}
	if HashBytes([]byte("abc")) != h {
		t.Error("HashBytes and HashFile disagree")
	}
}

// BenchmarkOpen opens a cache the size of the poster set: 13,000 images ×
// 1280 features (≈ 67 MB of log).
func BenchmarkOpen(b *testing.B) {
	meta := Meta{Backbone: "bench", PrepVersion: 1, Variant: "squash", Dim: 1280}
	dir := b.TempDir()
	fill(b, dir, meta, 13000)
	b.SetBytes(int64(13000 * (recordOverhead + 4*meta.Dim)))
	for b.Loop() {
		c, err := Open(dir, meta)
		if err != nil {
			b.Fatal(err)
		}
		if c.Len() != 13000 {
			b.Fatalf("Len = %d", c.Len())
		}
		c.Close()
	}
}
