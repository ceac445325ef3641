package mobilenet

import (
	"crypto/sha256"
	"testing"
)

// FuzzDecode feeds arbitrary and mutated backbone files to the weight-file
// reader. The checksum rejects almost every mutation, so the fuzz body
// also re-seals the mutated bytes (recomputes header length and trailer)
// to reach the payload parser and the graph validation behind it: those
// must refuse inconsistent tables, never panic or index out of range.
func FuzzDecode(f *testing.F) {
	n := testNet(f)
	good, err := n.Encode()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good[:4096], false)
	f.Add(good[:headerLen+200], true)
	f.Add([]byte(backboneMagic), false)
	f.Fuzz(func(t *testing.T, b []byte, reseal bool) {
		if reseal && len(b) >= headerLen {
			b = resealed(b, backboneMagic)
		}
		if net, err := Decode(b); err == nil {
			// Whatever decodes must be runnable.
			e := net.NewEngine()
			in := make([]float32, InputLen)
			if _, err := e.Features(in, make([]float32, FeatureDim)); err != nil {
				t.Fatal(err)
			}
		}
	})
}

// FuzzAttachImageNet does the same to the ImageNet classifier file,
// attached to the real backbone: whatever attaches must run Logits.
func FuzzAttachImageNet(f *testing.F) {
	n := testNet(f)
	bb, err := n.Encode()
	if err != nil {
		f.Fatal(err)
	}
	backbone, err := Decode(bb)
	if err != nil {
		f.Fatal(err)
	}
	good, err := n.EncodeImageNet()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good[:headerLen+300], true)
	f.Add(good[:len(good)-trailerLen], true)
	f.Add([]byte(imagenetMagic), false)
	f.Fuzz(func(t *testing.T, b []byte, reseal bool) {
		if reseal && len(b) >= headerLen {
			b = resealed(b, imagenetMagic)
			copy(b[16:48], bb[16:48]) // the backbone's source
			b = resealed(b[:len(b)-trailerLen], imagenetMagic)
		}
		if net, err := backbone.AttachImageNet(b); err == nil {
			e := net.NewEngine()
			in := make([]float32, InputLen)
			out := make([]float32, NumClasses)
			if err := e.Logits(in, out); err != nil {
				t.Fatal(err)
			}
		}
	})
}

// resealed returns b with the given magic, this format version, and its
// payload length and sha256 trailer made consistent, so the checksum
// passes and the payload is parsed.
func resealed(b []byte, magic string) []byte {
	body := append([]byte(nil), b...)
	copy(body, magic)
	body[8], body[9], body[10], body[11] = FormatVersion, 0, 0, 0
	plen := uint64(len(body) - headerLen)
	for i := 0; i < 8; i++ {
		body[48+i] = byte(plen >> (8 * i))
	}
	sum := sha256.Sum256(body)
	return append(body, sum[:]...)
}
