package featcache

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzOpen writes arbitrary bytes as a cache's log and opens it: Open must
// recover what is valid (every vector it returns has the cache's
// dimension) or fail with an error, never panic; and the cache must stay
// usable for new records.
func FuzzOpen(f *testing.F) {
	meta := Meta{Backbone: "fuzz", PrepVersion: 1, Variant: "squash", Dim: 4}
	seed := func() []byte {
		dir := f.TempDir()
		c, err := Open(dir, meta)
		if err != nil {
			f.Fatal(err)
		}
		c.Put(HashBytes([]byte("a")), []float32{1, 2, 3, 4})
		c.Put(HashBytes([]byte("b")), []float32{5, 6, 7, 8})
		c.Close()
		b, err := os.ReadFile(filepath.Join(dir, meta.ID(), logFile))
		if err != nil {
			f.Fatal(err)
		}
		return b
	}()
	f.Add(seed)
	f.Add(seed[:len(seed)-3])
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		dir := t.TempDir()
		c, err := Open(dir, meta)
		if err != nil {
			t.Fatal(err)
		}
		c.Close()
		if err := os.WriteFile(filepath.Join(dir, meta.ID(), logFile), b, 0o644); err != nil {
			t.Fatal(err)
		}
		c, err = Open(dir, meta)
		if err != nil {
			return
		}
		defer c.Close()
		for _, k := range [][]byte{[]byte("a"), []byte("b")} {
			if v, ok := c.Get(HashBytes(k)); ok && len(v) != meta.Dim {
				t.Fatalf("vector of %d values in a %d-d cache", len(v), meta.Dim)
			}
		}
		if err := c.Put(HashBytes([]byte("new")), []float32{9, 9, 9, 9}); err != nil {
			t.Fatalf("cache unusable after recovery: %v", err)
		}
		if v, ok := c.Get(HashBytes([]byte("new"))); !ok || v[0] != 9 {
			t.Fatal("new record lost")
		}
	})
}
