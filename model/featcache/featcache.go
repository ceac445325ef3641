package featcache

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"sync"

	"posterity/internal/atomicfile"
)

const (
	// Version is the features.log format version.
	Version = 1
	// SyncEvery is how many Puts pass between fsyncs of the log.
	SyncEvery = 256
	// MaxDim bounds Meta.Dim, so that a corrupt length cannot ask for
	// gigabytes.
	MaxDim = 1 << 20

	metaFile   = "meta.json"
	logFile    = "features.log"
	headerSize = 16
	// recordOverhead is magic (4) + hash (32) + n (4) + crc (4).
	recordOverhead = 4 + 32 + 4 + 4
)

var (
	headerMagic = []byte("PSTYFEAT")
	recordMagic = []byte("PFR\xe7")
	castagnoli  = crc32.MakeTable(crc32.Castagnoli) // read-only after init
)

// ErrClosed is returned by Put and Sync after Close.
var ErrClosed = errors.New("featcache: cache is closed")

// Hash is the sha256 of an image file's bytes.
type Hash [32]byte

// HashBytes returns the sha256 of b.
func HashBytes(b []byte) Hash { return sha256.Sum256(b) }

// HashFile returns the sha256 of the file's contents.
func HashFile(name string) (Hash, error) {
	f, err := os.Open(name)
	if err != nil {
		return Hash{}, fmt.Errorf("featcache: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return Hash{}, fmt.Errorf("featcache: hashing %s: %w", name, err)
	}
	var out Hash
	h.Sum(out[:0])
	return out, nil
}

// String returns the hash in lower-case hex.
func (h Hash) String() string { return hex.EncodeToString(h[:]) }

// Meta identifies what a cache's features were computed with.
type Meta struct {
	// Backbone is the backbone's checksum, e.g. the sha256 hex of its
	// weight file.
	Backbone string `json:"backbone"`
	// PrepVersion is the preprocessing code's version.
	PrepVersion int `json:"prep_version"`
	// Variant is the preprocessing policy, e.g. "squash" or "squash+flip".
	Variant string `json:"variant"`
	// Dim is the length of every feature vector, e.g. 1280.
	Dim int `json:"dim"`
}

// ID returns the name of the meta's cache directory: the first 16 bytes,
// in hex, of the sha256 of its JSON encoding.
func (m Meta) ID() string {
	b, _ := json.Marshal(m) // a struct of strings and ints cannot fail
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:16])
}

func (m Meta) validate() error {
	if m.Backbone == "" {
		return errors.New("featcache: Meta.Backbone is empty")
	}
	if m.Dim <= 0 || m.Dim > MaxDim {
		return fmt.Errorf("featcache: Meta.Dim = %d, want 1..%d", m.Dim, MaxDim)
	}
	return nil
}

// Stats counts what Open found and what was added since.
type Stats struct {
	// Records is the number of distinct hashes in the cache.
	Records int
	// Loaded is the number of valid records read by Open.
	Loaded int
	// Duplicates is the number of loaded records whose hash an earlier
	// record already had (the later one wins).
	Duplicates int
	// Corrupt is the number of corrupt stretches Open skipped in the
	// middle of the log, and CorruptBytes their total length. Each
	// normally holds one record, whose image is missing from the cache.
	Corrupt      int
	CorruptBytes int64
	// TruncatedBytes is the length of the torn or corrupt tail that Open
	// cut off (0 after a clean shutdown).
	TruncatedBytes int64
	// Appended is the number of records Put wrote since Open.
	Appended int
}

// Cache is an open feature cache. Its methods are safe for concurrent use.
type Cache struct {
	meta Meta
	dir  string

	mu       sync.RWMutex
	f        *os.File // nil after Close
	size     int64    // bytes of valid log, where the next record goes
	vecs     map[Hash][]float32
	unsynced int
	stats    Stats
	rec      []byte // record buffer, reused under mu
}

// Open opens the cache for meta under dir, creating dir/<meta.ID()> and its
// files as needed, and loads every valid record; see the package comment for
// how damaged logs are recovered. It fails when the directory's meta.json
// records a different Meta or features.log has a foreign header.
func Open(dir string, meta Meta) (*Cache, error) {
	if err := meta.validate(); err != nil {
		return nil, err
	}
	sub := filepath.Join(dir, meta.ID())
	if err := os.MkdirAll(sub, 0o755); err != nil {
		return nil, fmt.Errorf("featcache: %w", err)
	}
	if err := checkMeta(sub, meta); err != nil {
		return nil, err
	}
	name := filepath.Join(sub, logFile)
	f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("featcache: %w", err)
	}
	c := &Cache{meta: meta, dir: sub, f: f, rec: make([]byte, recordOverhead+4*meta.Dim)}
	if err := c.load(name); err != nil {
		f.Close()
		return nil, err
	}
	return c, nil
}

// checkMeta writes dir/meta.json for meta, or checks the one there.
func checkMeta(dir string, meta Meta) error {
	name := filepath.Join(dir, metaFile)
	data, err := os.ReadFile(name)
	if errors.Is(err, fs.ErrNotExist) {
		b, _ := json.MarshalIndent(meta, "", "  ")
		if err := atomicfile.Write(name, append(b, '\n')); err != nil {
			return fmt.Errorf("featcache: writing %s: %w", name, err)
		}
		return nil
	}
	if err != nil {
		return fmt.Errorf("featcache: %w", err)
	}
	var got Meta
	if err := json.Unmarshal(data, &got); err != nil || got != meta {
		return fmt.Errorf("featcache: %s does not match the requested cache %+v (read %q); delete %s to rebuild it", name, meta, bytes.TrimSpace(data), dir)
	}
	return nil
}

// load reads the log, fills the index and cuts off a torn tail.
func (c *Cache) load(name string) error {
	st, err := c.f.Stat()
	if err != nil {
		return fmt.Errorf("featcache: %w", err)
	}
	// One read of the whole log: io.ReadAll would grow its buffer through
	// about 3× the file size in allocations.
	data := make([]byte, st.Size())
	if _, err := io.ReadFull(c.f, data); err != nil {
		return fmt.Errorf("featcache: reading %s: %w", name, err)
	}
	header := c.header()
	if len(data) < headerSize {
		// Empty, or a crash while the header was written.
		if !bytes.HasPrefix(header, data) {
			return fmt.Errorf("featcache: %s is not a feature log (%d bytes, bad header); delete %s to rebuild it", name, len(data), c.dir)
		}
		if err := c.f.Truncate(0); err != nil {
			return fmt.Errorf("featcache: %w", err)
		}
		if _, err := c.f.Write(header); err != nil {
			return fmt.Errorf("featcache: writing %s: %w", name, err)
		}
		if err := c.f.Sync(); err != nil {
			return fmt.Errorf("featcache: %w", err)
		}
		c.size = headerSize
		c.vecs = make(map[Hash][]float32)
		return nil
	}
	if !bytes.Equal(data[:headerSize], header) {
		return fmt.Errorf("featcache: %s has header %q, want %q (format version %d, dim %d); delete %s to rebuild it",
			name, data[:headerSize], header, Version, c.meta.Dim, c.dir)
	}

	dim := c.meta.Dim
	recSize := recordOverhead + 4*dim
	n := (len(data) - headerSize) / recSize
	arena := make([]float32, n*dim) // one allocation for every loaded vector
	c.vecs = make(map[Hash][]float32, n)
	off := headerSize
	for off < len(data) {
		if h, floats, ok := c.parse(data[off:]); ok {
			// At most n records fit in the data, so the arena suffices.
			v := arena[:dim:dim]
			arena = arena[dim:]
			for i := range v {
				v[i] = math.Float32frombits(binary.LittleEndian.Uint32(floats[4*i:]))
			}
			if _, dup := c.vecs[h]; dup {
				c.stats.Duplicates++
			}
			c.vecs[h] = v
			c.stats.Loaded++
			off += recSize
			continue
		}
		next := c.resync(data, off+1)
		if next < 0 {
			c.stats.TruncatedBytes = int64(len(data) - off)
			if err := c.f.Truncate(int64(off)); err != nil {
				return fmt.Errorf("featcache: truncating the torn tail of %s: %w", name, err)
			}
			if err := c.f.Sync(); err != nil {
				return fmt.Errorf("featcache: %w", err)
			}
			break
		}
		c.stats.Corrupt++
		c.stats.CorruptBytes += int64(next - off)
		off = next
	}
	c.size = int64(off)
	c.stats.Records = len(c.vecs)
	return nil
}

// header returns the log header for c's meta.
func (c *Cache) header() []byte {
	h := make([]byte, headerSize)
	copy(h, headerMagic)
	binary.LittleEndian.PutUint32(h[8:], Version)
	binary.LittleEndian.PutUint32(h[12:], uint32(c.meta.Dim))
	return h
}

// parse checks the record at the start of b and returns its hash and the
// bytes of its floats.
func (c *Cache) parse(b []byte) (h Hash, floats []byte, ok bool) {
	dim := c.meta.Dim
	recSize := recordOverhead + 4*dim
	if len(b) < recSize || !bytes.Equal(b[:4], recordMagic) {
		return h, nil, false
	}
	if binary.LittleEndian.Uint32(b[36:]) != uint32(dim) {
		return h, nil, false
	}
	body := b[4 : recSize-4]
	if crc32.Checksum(body, castagnoli) != binary.LittleEndian.Uint32(b[recSize-4:]) {
		return h, nil, false
	}
	copy(h[:], b[4:36])
	return h, b[40 : recSize-4], true
}

// resync returns the offset of the first valid record at or after from, or
// -1 if there is none.
func (c *Cache) resync(data []byte, from int) int {
	for from < len(data) {
		i := bytes.Index(data[from:], recordMagic)
		if i < 0 {
			return -1
		}
		if _, _, ok := c.parse(data[from+i:]); ok {
			return from + i
		}
		from += i + 1
	}
	return -1
}

// Meta returns the cache's key.
func (c *Cache) Meta() Meta { return c.meta }

// Dir returns the cache's directory, dir/<meta.ID()>.
func (c *Cache) Dir() string { return c.dir }

// Len returns the number of images in the cache.
func (c *Cache) Len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.vecs)
}

// Get returns a copy of the features of the image with hash h.
func (c *Cache) Get(h Hash) ([]float32, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	v, ok := c.vecs[h]
	if !ok {
		return nil, false
	}
	return append([]float32(nil), v...), true
}

// Put stores vec, which must have Meta.Dim elements, as the features of
// the image with hash h, appending a record to the log. The log is fsynced
// every SyncEvery Puts; call Sync or Close to make the latest durable.
// Putting a hash again replaces its features.
func (c *Cache) Put(h Hash, vec []float32) error {
	if len(vec) != c.meta.Dim {
		return fmt.Errorf("featcache: Put: vector of length %d, the cache holds %d", len(vec), c.meta.Dim)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.f == nil {
		return ErrClosed
	}
	b := c.rec
	copy(b, recordMagic)
	copy(b[4:], h[:])
	binary.LittleEndian.PutUint32(b[36:], uint32(len(vec)))
	for i, x := range vec {
		binary.LittleEndian.PutUint32(b[40+4*i:], math.Float32bits(x))
	}
	end := len(b) - 4
	binary.LittleEndian.PutUint32(b[end:], crc32.Checksum(b[4:end], castagnoli))
	if _, err := c.f.Write(b); err != nil {
		// Cut a partial record off, so later records do not follow garbage.
		if terr := c.f.Truncate(c.size); terr != nil {
			return fmt.Errorf("featcache: appending: %w (and cutting the partial record: %v)", err, terr)
		}
		return fmt.Errorf("featcache: appending: %w", err)
	}
	c.size += int64(len(b))
	c.vecs[h] = append([]float32(nil), vec...)
	c.stats.Appended++
	c.stats.Records = len(c.vecs)
	c.unsynced++
	if c.unsynced >= SyncEvery {
		return c.syncLocked()
	}
	return nil
}

// Sync makes every Put so far durable.
func (c *Cache) Sync() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.f == nil {
		return ErrClosed
	}
	return c.syncLocked()
}

func (c *Cache) syncLocked() error {
	if err := c.f.Sync(); err != nil {
		return fmt.Errorf("featcache: %w", err)
	}
	c.unsynced = 0
	return nil
}

// Stats returns what Open recovered and what was appended since.
func (c *Cache) Stats() Stats {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.stats
}

// Close syncs and closes the log. The features stay readable with Get;
// Put fails with ErrClosed. Closing twice is harmless.
func (c *Cache) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.f == nil {
		return nil
	}
	var err error
	if c.unsynced > 0 {
		err = c.f.Sync()
	}
	if cerr := c.f.Close(); err == nil {
		err = cerr
	}
	c.f = nil
	if err != nil {
		return fmt.Errorf("featcache: closing: %w", err)
	}
	return nil
}
