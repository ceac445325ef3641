package imageprep

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/jpeg"
	"testing"
)

// exifEntry is one 12-byte IFD entry; value holds the 4 value bytes in the
// file's byte order (SHORT values are left-aligned).
type exifEntry struct {
	tag, typ uint16
	count    uint32
	value    [4]byte
}

// byteOrder is a byte order that can also append.
type byteOrder interface {
	binary.ByteOrder
	binary.AppendByteOrder
}

// exifSegment returns a complete APP1 Exif segment (marker included) with
// IFD0 holding entries, in byte order bo.
func exifSegment(bo byteOrder, entries ...exifEntry) []byte {
	tiff := []byte("II*\x00\x08\x00\x00\x00")
	if bo.String() == binary.BigEndian.String() {
		tiff = []byte("MM\x00*\x00\x00\x00\x08")
	}
	tiff = bo.AppendUint16(tiff, uint16(len(entries)))
	for _, e := range entries {
		tiff = bo.AppendUint16(tiff, e.tag)
		tiff = bo.AppendUint16(tiff, e.typ)
		tiff = bo.AppendUint32(tiff, e.count)
		tiff = append(tiff, e.value[:]...)
	}
	tiff = bo.AppendUint32(tiff, 0) // no IFD1
	return app1(append([]byte("Exif\x00\x00"), tiff...))
}

// app1 wraps payload in an APP1 marker segment.
func app1(payload []byte) []byte {
	n := len(payload) + 2
	return append([]byte{0xff, 0xe1, byte(n >> 8), byte(n)}, payload...)
}

// orientationEntry returns the Orientation entry (SHORT, 1 value) for o.
func orientationEntry(bo byteOrder, o uint16) exifEntry {
	e := exifEntry{tag: 0x0112, typ: 3, count: 1}
	bo.PutUint16(e.value[:], o)
	return e
}

// spliceAfterSOI inserts segments right after the SOI marker of a JPEG.
func spliceAfterSOI(jpg []byte, segments ...[]byte) []byte {
	out := append([]byte{}, jpg[:2]...)
	for _, s := range segments {
		out = append(out, s...)
	}
	return append(out, jpg[2:]...)
}

// exifTestJPEG returns a 24×16 grayscale JPEG, black except a white 8×8
// block at the stored top-left and a grey one at the stored top-right.
// Grayscale and 8×8-aligned blocks keep the decoded values near exact.
func exifTestJPEG(t *testing.T) []byte {
	g := image.NewGray(image.Rect(0, 0, 24, 16))
	for y := 0; y < 8; y++ {
		for x := 0; x < 8; x++ {
			g.Pix[g.PixOffset(x, y)] = 255
			g.Pix[g.PixOffset(16+x, y)] = 128
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, g, &jpeg.Options{Quality: 100}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestEXIFOrientation decodes the test JPEG with each orientation 1–8 in
// both byte orders and checks the displayed geometry: size, where the
// stored top-left marker lands, and every pixel against the forward
// mapping of the EXIF definitions (stored (x, y) shown at (X, Y)).
func TestEXIFOrientation(t *testing.T) {
	base := exifTestJPEG(t)
	stored, _, err := Decode(bytes.NewReader(base), DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	W, H := stored.W, stored.H
	tests := []struct {
		o       uint16
		forward func(x, y int) (int, int)
		corner  string // where the stored top-left marker is shown
	}{
		{1, func(x, y int) (int, int) { return x, y }, "top-left"},
		{2, func(x, y int) (int, int) { return W - 1 - x, y }, "top-right"},
		{3, func(x, y int) (int, int) { return W - 1 - x, H - 1 - y }, "bottom-right"},
		{4, func(x, y int) (int, int) { return x, H - 1 - y }, "bottom-left"},
		{5, func(x, y int) (int, int) { return y, x }, "top-left"},
		{6, func(x, y int) (int, int) { return H - 1 - y, x }, "top-right"},
		{7, func(x, y int) (int, int) { return H - 1 - y, W - 1 - x }, "bottom-right"},
		{8, func(x, y int) (int, int) { return y, W - 1 - x }, "bottom-left"},
	}
	for _, bo := range []byteOrder{binary.LittleEndian, binary.BigEndian} {
		for _, tt := range tests {
			maker := exifEntry{tag: 0x010f, typ: 2, count: 3, value: [4]byte{'G', 'o', 0, 0}}
			data := spliceAfterSOI(base, exifSegment(bo, maker, orientationEntry(bo, tt.o)))
			if got := jpegOrientation(data); got != int(tt.o) {
				t.Errorf("%v o=%d: jpegOrientation = %d", bo, tt.o, got)
			}
			im, _, err := Decode(bytes.NewReader(data), DefaultLimits())
			if err != nil {
				t.Fatalf("%v o=%d: %v", bo, tt.o, err)
			}
			wantW, wantH := W, H
			if tt.o >= 5 {
				wantW, wantH = H, W
			}
			if im.W != wantW || im.H != wantH {
				t.Fatalf("%v o=%d: size %d×%d, want %d×%d", bo, tt.o, im.W, im.H, wantW, wantH)
			}
			cx, cy := 0, 0
			if tt.corner == "top-right" || tt.corner == "bottom-right" {
				cx = im.W - 1
			}
			if tt.corner == "bottom-left" || tt.corner == "bottom-right" {
				cy = im.H - 1
			}
			if v := im.Pix[4*(cy*im.W+cx)]; v < 240 {
				t.Errorf("%v o=%d: %s pixel is %d, want the white marker", bo, tt.o, tt.corner, v)
			}
			for y := 0; y < H; y++ {
				for x := 0; x < W; x++ {
					X, Y := tt.forward(x, y)
					if !bytes.Equal(im.Pix[4*(Y*im.W+X):][:4], stored.Pix[4*(y*W+x):][:4]) {
						t.Fatalf("%v o=%d: stored (%d,%d) is not shown at (%d,%d)", bo, tt.o, x, y, X, Y)
					}
				}
			}
		}
	}
}

// TestEXIFMalformed checks that broken or absent EXIF is ignored: the image
// decodes as stored (orientation 1).
func TestEXIFMalformed(t *testing.T) {
	le := binary.LittleEndian
	o6 := orientationEntry(le, 6)
	valid := exifSegment(le, o6)
	withTIFF := func(tiff string) []byte { return app1([]byte("Exif\x00\x00" + tiff)) }
	tests := []struct {
		name string
		seg  []byte
	}{
		{"no EXIF", nil},
		{"XMP APP1", app1([]byte("http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta/>"))},
		{"Exif header only", app1([]byte("Exif\x00\x00"))},
		{"TIFF truncated", withTIFF("II*")},
		{"bad byte order", withTIFF("XX*\x00\x08\x00\x00\x00\x00\x00")},
		{"bad magic", withTIFF("II+\x00\x08\x00\x00\x00\x00\x00")},
		{"IFD offset out of range", withTIFF("II*\x00\xff\xff\x00\x00\x00\x00")},
		{"IFD offset in header", withTIFF("II*\x00\x02\x00\x00\x00\x00\x00")},
		{"entry count too large", append(valid[:len(valid)-16:len(valid)-16], 0)}, // IFD cut mid-entry
		{"orientation 0", exifSegment(le, orientationEntry(le, 0))},
		{"orientation 9", exifSegment(le, orientationEntry(le, 9))},
		{"type LONG", exifSegment(le, exifEntry{tag: 0x0112, typ: 4, count: 1, value: [4]byte{6}})},
		{"count 2", exifSegment(le, exifEntry{tag: 0x0112, typ: 3, count: 2, value: [4]byte{6}})},
	}
	base := exifTestJPEG(t)
	for _, tt := range tests {
		data := base
		if tt.seg != nil {
			// Fix the APP1 length after truncation so the JPEG stays valid.
			seg := append([]byte{}, tt.seg...)
			binary.BigEndian.PutUint16(seg[2:], uint16(len(seg)-2))
			data = spliceAfterSOI(base, seg)
		}
		if got := jpegOrientation(data); got != 1 {
			t.Errorf("%s: jpegOrientation = %d, want 1", tt.name, got)
		}
		im, _, err := Decode(bytes.NewReader(data), DefaultLimits())
		if err != nil {
			t.Errorf("%s: Decode: %v", tt.name, err)
			continue
		}
		if im.W != 24 || im.H != 16 || im.Pix[0] < 240 {
			t.Errorf("%s: decoded %d×%d with top-left %d, want 24×16 as stored", tt.name, im.W, im.H, im.Pix[0])
		}
	}
	// A JFIF APP0 before the Exif APP1 is skipped over.
	jfif := []byte{0xff, 0xe0, 0, 16, 'J', 'F', 'I', 'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0}
	if got := jpegOrientation(spliceAfterSOI(base, jfif, valid)); got != 6 {
		t.Errorf("JFIF then Exif: orientation %d, want 6", got)
	}
	// Garbage that is not a JPEG at all.
	for _, b := range [][]byte{nil, {0xff}, {0xff, 0xd8, 0x00}, {0xff, 0xd8, 0xff, 0xe1, 0xff, 0xff}} {
		if got := jpegOrientation(b); got != 1 {
			t.Errorf("jpegOrientation(%x) = %d, want 1", b, got)
		}
	}
}
