package imageprep

import "encoding/binary"

// jpegOrientation returns the EXIF orientation (1–8) of the JPEG in data, or
// 1 when there is none or it is malformed. It reads the first APP1 "Exif"
// segment before the first scan: a TIFF header ("II" or "MM", 42, IFD0
// offset) and IFD0's tag 0x0112 (Orientation, type SHORT). See the Exif 2.3
// specification, sections 4.5.4 and 4.6.4.
func jpegOrientation(data []byte) int {
	if len(data) < 2 || data[0] != 0xff || data[1] != 0xd8 {
		return 1
	}
	i := 2
	for i+4 <= len(data) {
		if data[i] != 0xff {
			return 1
		}
		marker := data[i+1]
		switch {
		case marker == 0xff: // fill byte
			i++
			continue
		case marker == 0x01 || marker >= 0xd0 && marker <= 0xd8: // TEM, RSTn, SOI: no length
			i += 2
			continue
		case marker == 0xda || marker == 0xd9: // SOS, EOI
			return 1
		}
		n := int(binary.BigEndian.Uint16(data[i+2:]))
		if n < 2 || i+2+n > len(data) {
			return 1
		}
		seg := data[i+4 : i+2+n]
		if marker == 0xe1 && len(seg) >= 6 && string(seg[:6]) == "Exif\x00\x00" {
			return tiffOrientation(seg[6:])
		}
		i += 2 + n
	}
	return 1
}

// tiffOrientation returns the Orientation tag of IFD0 of the TIFF structure
// t, or 1 when it is absent or malformed.
func tiffOrientation(t []byte) int {
	if len(t) < 8 {
		return 1
	}
	var bo binary.ByteOrder
	switch string(t[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return 1
	}
	if bo.Uint16(t[2:]) != 42 {
		return 1
	}
	off := uint64(bo.Uint32(t[4:]))
	if off < 8 || off+2 > uint64(len(t)) {
		return 1
	}
	n := uint64(bo.Uint16(t[off:]))
	for k := uint64(0); k < n; k++ {
		e := off + 2 + 12*k
		if e+12 > uint64(len(t)) {
			return 1
		}
		if bo.Uint16(t[e:]) != 0x0112 {
			continue
		}
		typ, count := bo.Uint16(t[e+2:]), bo.Uint32(t[e+4:])
		if typ != 3 || count != 1 { // SHORT, one value, stored in the entry
			return 1
		}
		if v := bo.Uint16(t[e+8:]); v >= 1 && v <= 8 {
			return int(v)
		}
		return 1
	}
	return 1
}

// orient returns im transformed for display by EXIF orientation o, which
// says where the stored rows and columns belong:
//
//	1 as stored            5 transposed (x↔y)
//	2 mirrored left-right  6 rotated 90° clockwise
//	3 rotated 180°         7 transposed across the anti-diagonal
//	4 mirrored top-bottom  8 rotated 90° counter-clockwise
//
// For 5–8 the result is H×W. Any other o returns im unchanged.
func orient(im Image, o int) Image {
	if o < 2 || o > 8 {
		return im
	}
	w, h := im.W, im.H
	out := Image{W: w, H: h}
	if o >= 5 {
		out.W, out.H = h, w
	}
	out.Pix = make([]uint8, len(im.Pix))
	i := 0
	for y := 0; y < out.H; y++ {
		for x := 0; x < out.W; x++ {
			// (sx, sy) is the stored pixel shown at (x, y).
			var sx, sy int
			switch o {
			case 2:
				sx, sy = w-1-x, y
			case 3:
				sx, sy = w-1-x, h-1-y
			case 4:
				sx, sy = x, h-1-y
			case 5:
				sx, sy = y, x
			case 6:
				sx, sy = y, h-1-x
			case 7:
				sx, sy = w-1-y, h-1-x
			case 8:
				sx, sy = w-1-y, x
			}
			copy(out.Pix[i:i+4], im.Pix[4*(sy*w+sx):])
			i += 4
		}
	}
	return out
}
