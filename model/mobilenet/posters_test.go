package mobilenet

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"posterity/model/imageprep"
)

// orjson is the part of shared/models/golden/posters/<id>.ort.json these
// tests read (field meanings in shared/models/golden/README.md).
type orjson struct {
	Input struct {
		ResizedPNG string `json:"resized_png"`
	} `json:"input"`
	Top5 []struct {
		Index int `json:"index"`
	} `json:"top5"`
	Logits   []float64                `json:"logits"`
	LogitsQ  struct{ Values []uint8 } `json:"logits_uint8_output_quantized"`
	Pooled   struct{ Values []uint8 } `json:"pooled_uint8_464_quantized"`
	Means627 []float64                `json:"pooled_float_mean_of_dequantized_627"`
}

// TestPostersEndToEnd runs the 12 golden posters from their exact 224×224
// PNG inputs through imageprep.Preprocess (the one preprocessing path) and
// the engine, and demands ORT's outputs bit for bit, from the converted
// network and from the network read back from its two weight files
// (backbone and ImageNet classifier): the pooled uint8
// feature, the uint8 logits, the float logits, and the 1280 float means of
// the dequantized feature map (computed in float64 exactly as the fixture
// describes, then compared before the float32 rounding Features applies).
func TestPostersEndToEnd(t *testing.T) {
	shared := sharedDir(t)
	n := testNet(t)
	files, _ := filepath.Glob(filepath.Join(shared, "models", "golden", "posters", "*.ort.json"))
	if len(files) != 12 {
		t.Fatalf("found %d poster fixtures, want 12", len(files))
	}
	input := make([]float32, InputLen)
	logits := make([]float32, NumClasses)
	feat := make([]float32, FeatureDim)
	for _, file := range files {
		var g orjson
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, &g); err != nil {
			t.Fatal(err)
		}
		f, err := os.Open(filepath.Join(shared, g.Input.ResizedPNG))
		if err != nil {
			t.Fatal(err)
		}
		img, _, err := imageprep.Decode(f, imageprep.DefaultLimits())
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		if err := imageprep.Preprocess(img, imageprep.Squash, input); err != nil {
			t.Fatal(err)
		}
		es := engines(n)
		es["optimised, from the two files"] = testFileNet(t).NewEngine()
		for name, e := range es {
			if err := e.Logits(input, logits); err != nil {
				t.Fatal(err)
			}
			pooled, _, _ := e.Tensor("464_quantized")
			if d, m := countDiff(pooled, g.Pooled.Values); d != 0 {
				t.Errorf("%s %s: 464_quantized: %d of 1280 differ (max %d)", filepath.Base(file), name, d, m)
			}
			lq, _, _ := e.Tensor("output_quantized")
			if d, m := countDiff(lq, g.LogitsQ.Values); d != 0 {
				t.Errorf("%s %s: output_quantized: %d of 1000 differ (max %d)", filepath.Base(file), name, d, m)
			}
			for i, v := range g.Logits {
				if logits[i] != float32(v) {
					t.Errorf("%s %s: logit %d = %v, ORT %v", filepath.Base(file), name, i, logits[i], v)
					break
				}
			}
			if g.Top5[0].Index != argmax(logits) {
				t.Errorf("%s %s: top-1 %d, ORT %d", filepath.Base(file), name, argmax(logits), g.Top5[0].Index)
			}
			fmap, err := e.Features(input, feat)
			if err != nil {
				t.Fatal(err)
			}
			ft := n.Tensors[n.Feature]
			for c := 0; c < FeatureDim; c++ {
				var s int32
				for p := 0; p < 49; p++ {
					s += int32(fmap[p*FeatureDim+c]) - ft.ZP
				}
				mean := float64(ft.Scale) * float64(s) / 49
				if mean != g.Means627[c] || feat[c] != float32(mean) {
					t.Errorf("%s %s: mean 627[%d] = %v (feature %v), ORT %v", filepath.Base(file), name, c, mean, feat[c], g.Means627[c])
					break
				}
			}
		}
	}
}

func argmax(v []float32) int {
	best := 0
	for i, x := range v {
		if x > v[best] || (x == v[best] && i < best) {
			best = i
		}
	}
	return best
}
