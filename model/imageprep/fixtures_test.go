package imageprep

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"testing"
)

// encodePNG encodes m as PNG.
func encodePNG(t testing.TB, m image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, m); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// encodeJPEG encodes m as JPEG at quality 95.
func encodeJPEG(t testing.TB, m image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, m, &jpeg.Options{Quality: 95}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// encodeGIF encodes the frames as one GIF with the given logical screen.
func encodeGIF(t testing.TB, w, h int, frames ...*image.Paletted) []byte {
	t.Helper()
	g := &gif.GIF{Image: frames, Delay: make([]int, len(frames)), Config: image.Config{Width: w, Height: h, ColorModel: frames[0].Palette}}
	var b bytes.Buffer
	if err := gif.EncodeAll(&b, g); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// pngWithSize returns a valid 1×1 PNG whose IHDR is patched to claim w×h,
// with the IHDR CRC recomputed, so that DecodeConfig accepts it.
func pngWithSize(t testing.TB, w, h uint32) []byte {
	t.Helper()
	b := encodePNG(t, image.NewGray(image.Rect(0, 0, 1, 1)))
	// Signature (8), IHDR length (4), "IHDR" (4), width (4), height (4), ...,
	// CRC over "IHDR" and its 13 data bytes at offset 29.
	if string(b[12:16]) != "IHDR" {
		t.Fatal("png.Encode did not start with IHDR")
	}
	binary.BigEndian.PutUint32(b[16:], w)
	binary.BigEndian.PutUint32(b[20:], h)
	binary.BigEndian.PutUint32(b[29:], crc32.ChecksumIEEE(b[12:29]))
	return b
}

// cmykJPEG hand-writes a baseline 4-component Adobe JPEG (APP14 transform 0,
// i.e. plain inverted CMYK), which image/jpeg cannot encode. It is 8·n×8
// pixels: block i is the uniform colour blocks[i]. Each block carries only a
// DC coefficient (quantiser 1): DC = 8·(s−128) for stored sample s, and
// Adobe stores s = 255 − ink. Huffman tables: DC categories 0–11 have the
// 4-bit codes 0000–1011; the AC table holds only EOB, code "0".
func cmykJPEG(blocks []color.CMYK) []byte {
	var b bytes.Buffer
	seg := func(marker byte, payload ...byte) {
		b.Write([]byte{0xff, marker, byte((len(payload) + 2) >> 8), byte(len(payload) + 2)})
		b.Write(payload)
	}
	b.Write([]byte{0xff, 0xd8})
	seg(0xee, append([]byte("Adobe"), 0, 100, 0, 0, 0, 0, 0)...)       // APP14, transform 0
	seg(0xdb, append([]byte{0x00}, bytes.Repeat([]byte{1}, 64)...)...) // DQT 0: all ones
	w := 8 * len(blocks)
	sof := []byte{8, 0, 8, byte(w >> 8), byte(w), 4}
	for c := byte(1); c <= 4; c++ {
		sof = append(sof, c, 0x11, 0)
	}
	seg(0xc0, sof...)
	dc := []byte{0x00, 0, 0, 0, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}
	seg(0xc4, append(dc, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)...)
	seg(0xc4, 0x10, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x00)
	seg(0xda, 4, 1, 0x00, 2, 0x00, 3, 0x00, 4, 0x00, 0, 63, 0)

	var acc uint32
	var nbits uint
	put := func(v uint32, n uint) {
		for i := int(n) - 1; i >= 0; i-- {
			acc = acc<<1 | (v>>uint(i))&1
			nbits++
			if nbits == 8 {
				b.WriteByte(byte(acc))
				if byte(acc) == 0xff {
					b.WriteByte(0) // byte stuffing
				}
				acc, nbits = 0, 0
			}
		}
	}
	var pred [4]int
	for _, c := range blocks {
		for i, ink := range []uint8{c.C, c.M, c.Y, c.K} {
			d := 8*(int(255-ink)-128) - pred[i]
			pred[i] += d
			s, mag := uint(0), d
			if mag < 0 {
				mag = -mag
			}
			for mag>>s != 0 {
				s++
			}
			put(uint32(s), 4)
			if s > 0 {
				v := d
				if d < 0 {
					v = d - 1
				}
				put(uint32(v)&(1<<s-1), s)
			}
			put(0, 1) // EOB
		}
	}
	for nbits != 0 {
		put(1, 1) // pad with ones
	}
	b.Write([]byte{0xff, 0xd9})
	return b.Bytes()
}
