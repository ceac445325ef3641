package mobilenet

import (
	"crypto/sha256"
	"testing"
)

// FuzzDecode feeds arbitrary and mutated weight files to the weight-file
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
	f.Add([]byte("PSTYBKBN"), false)
	f.Fuzz(func(t *testing.T, b []byte, reseal bool) {
		if reseal && len(b) >= headerLen {
			b = resealed(b)
		}
		if net, err := Decode(b); err == nil {
			// Whatever decodes must be runnable.
			e := net.NewEngine()
			in := make([]float32, InputLen)
			out := make([]float32, NumClasses)
			if err := e.Logits(in, out); err != nil {
				t.Fatal(err)
			}
		}
	})
}

// resealed returns b with its payload length and sha256 trailer made
// consistent, so Decode's checksum passes and the payload is parsed.
func resealed(b []byte) []byte {
	body := append([]byte(nil), b...)
	copy(body, fileMagic)
	body[8], body[9], body[10], body[11] = FormatVersion, 0, 0, 0
	plen := uint64(len(body) - headerLen)
	for i := 0; i < 8; i++ {
		body[48+i] = byte(plen >> (8 * i))
	}
	sum := sha256.Sum256(body)
	return append(body, sum[:]...)
}
