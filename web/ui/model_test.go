package ui

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
)

func testModel(mode string) *Model {
	return &Model{
		Labels:     []string{"Action", "Comedy", "Drama", "Horror"},
		Thresholds: []float64{0.5, 0.3, 0.4, 0.6},
		Mode:       mode,
		Metrics:    map[string]float64{"micro_f1": 0.5234, "macro_f1": 0.4149, "n_test": 1877, "n_val": 1877},
		Created:    "2026-11-29T16:00:00Z", HeadSHA256: "0123456789abcdef", BackboneSHA256: "fedcba9876543210",
	}
}

func TestRank(t *testing.T) {
	cases := []struct {
		name   string
		mode   string
		probs  []float64
		genres string // GenresAttr
		order  string // labels in ranked order
	}{
		{"two above threshold", "multi-label", []float64{0.2, 0.35, 0.9, 0.1}, "Drama|Comedy", "Drama Comedy Action Horror"},
		{"none above threshold", "multi-label", []float64{0.49, 0.29, 0.39, 0.59}, "", "Horror Action Drama Comedy"},
		{"at the threshold counts", "multi-label", []float64{0.5, 0, 0, 0}, "Action", "Action Comedy Drama Horror"},
		{"ties keep label order", "multi-label", []float64{0.7, 0.7, 0.1, 0.7}, "Action|Comedy|Horror", "Action Comedy Horror Drama"},
		{"multi-class predicts the argmax", "multi-class", []float64{0.1, 0.2, 0.6, 0.1}, "Drama", "Drama Comedy Action Horror"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := testModel(c.mode).Rank(c.probs)
			if got := GenresAttr(r); got != c.genres {
				t.Errorf("GenresAttr = %q, want %q", got, c.genres)
			}
			var order []string
			for _, s := range r {
				order = append(order, s.Label)
			}
			if got := strings.Join(order, " "); got != c.order {
				t.Errorf("order %q, want %q", got, c.order)
			}
		})
	}
	if r := testModel("multi-label").Rank([]float64{0.1}); r != nil {
		t.Errorf("Rank of the wrong length = %v, want nil", r)
	}
}

func TestProbsAttr(t *testing.T) {
	m := testModel("multi-label")
	s := m.ProbsAttr([]float64{0.1, 0.8765432, 0, 1})
	var got map[string]float64
	if err := json.Unmarshal([]byte(s), &got); err != nil {
		t.Fatalf("%s: %v", s, err)
	}
	want := map[string]float64{"Action": float64(float32(0.1)), "Comedy": float64(float32(0.8765432)), "Drama": 0, "Horror": 1}
	for k, v := range want {
		if float32(got[k]) != float32(v) {
			t.Errorf("%s = %v, want %v (from %s)", k, got[k], v, s)
		}
	}
	if !strings.HasPrefix(s, `{"Action":`) {
		t.Errorf("%s: want label order", s)
	}
	if got := m.ProbsAttr([]float64{1}); got != "{}" {
		t.Errorf("ProbsAttr of the wrong length = %s", got)
	}
}

func TestSummaryAndVersion(t *testing.T) {
	m := testModel("multi-label")
	s := m.Summary()
	m.Metrics["val_micro_f1"], m.Metrics["val_macro_f1"] = 0.5412, 0.4456
	s = m.Summary()
	for _, want := range []string{"micro-F1 0.52", "macro-F1 0.41", "held-out test split of 1877 posters", "validation split: there, micro-F1 0.54, macro-F1 0.45, optimistic"} {
		if !strings.Contains(s, want) {
			t.Errorf("Summary %q lacks %q", s, want)
		}
	}
	m.Metrics = nil
	if s := m.Summary(); !strings.Contains(s, "No evaluation metrics") {
		t.Errorf("Summary without metrics: %q", s)
	}
	if v := m.Version(); v != "head 01234567 (2026-11-29) · MobileNetV2 int8 backbone fedcba98" {
		t.Errorf("Version = %q", v)
	}
}

func TestParseModel(t *testing.T) {
	for _, c := range []struct {
		in string
		ok bool
	}{
		{`{"labels":["A","B"],"thresholds":[0.5,0.5],"mode":"multi-label"}`, true},
		{`{"labels":["A","B"],"thresholds":[0.5]}`, false},
		{`{"labels":[],"thresholds":[]}`, false},
		{`not json`, false},
	} {
		if _, err := ParseModel(c.in); (err == nil) != c.ok {
			t.Errorf("ParseModel(%s): error %v, want ok=%v", c.in, err, c.ok)
		}
	}
}

func TestFormatting(t *testing.T) {
	for _, c := range []struct {
		p    float64
		want string
	}{{0, "0%"}, {0.001, "<1%"}, {0.004, "<1%"}, {0.5, "50%"}, {0.996, ">99%"}, {1, "100%"}, {0.1234, "12%"}} {
		if got := Percent(c.p); got != c.want {
			t.Errorf("Percent(%v) = %q, want %q", c.p, got, c.want)
		}
	}
	for _, c := range []struct {
		n    int64
		want string
	}{{0, "0 B"}, {999, "999 B"}, {1500, "2 kB"}, {812_345, "812 kB"}, {3_621_678, "3.6 MB"}} {
		if got := FormatBytes(c.n); got != c.want {
			t.Errorf("FormatBytes(%d) = %q, want %q", c.n, got, c.want)
		}
	}
}

func TestShifted(t *testing.T) {
	for _, tc := range []struct{ t, shift, want float64 }{
		{0.3, 0, 0.3},            // unchanged, exactly
		{0.5, math.Log(3), 0.25}, // odds 1 → 1/3
		{0.5, -math.Log(3), 0.75},
		{0, 1, 0}, {1, -1, 1}, // degenerate thresholds stay
	} {
		if got := Shifted(tc.t, tc.shift); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("Shifted(%v, %v) = %v, want %v", tc.t, tc.shift, got, tc.want)
		}
	}
	m := &Model{Labels: []string{"A", "B", "C"}, Thresholds: []float64{0.5, 0.2, 0.9}}
	probs := []float64{0.4, 0.3, 0.6}
	if g := GenresAttr(m.RankShift(probs, 0)); g != "B" {
		t.Errorf("tuned: %q", g)
	}
	if g := GenresAttr(m.RankShift(probs, MaxShift)); g != "A|B" {
		t.Errorf("generous: %q", g)
	}
	if g := GenresAttr(m.RankShift(probs, -MaxShift)); g != "" {
		t.Errorf("strict: %q", g)
	}
}

func TestViewAndExport(t *testing.T) {
	m := &Model{Labels: []string{"Drama", "Horror"}, Thresholds: []float64{0.5, 0.5}}
	items := []*Item{
		{ID: 0, Name: "b.jpg", Status: statusDone, Probs: []float64{0.9, 0.1}},
		{ID: 1, Name: "a.jpg", Status: statusDone, Probs: []float64{0.6, 0.7}},
		{ID: 2, Name: "bad, \"quoted\".jpg", Status: statusError, Err: "not an image"},
		{ID: 3, Name: "c.jpg", Status: statusDone, Probs: []float64{0.2, 0.3}, ImageNetErr: "this device is offline"},
	}
	names := func(v []*Item) string {
		var s []string
		for _, it := range v {
			s = append(s, it.Name)
		}
		return strings.Join(s, " ")
	}
	for _, tc := range []struct{ filter, sort, want string }{
		{FilterAll, SortAdded, `b.jpg a.jpg bad, "quoted".jpg c.jpg`},
		{FilterAll, SortName, `a.jpg b.jpg bad, "quoted".jpg c.jpg`},
		{FilterAll, SortProb, `b.jpg a.jpg c.jpg bad, "quoted".jpg`},
		{"Drama", SortAdded, "b.jpg a.jpg"},
		{"Horror", SortProb, "a.jpg"},
		{FilterErrors, SortAdded, `bad, "quoted".jpg`},
		{FilterNone, SortAdded, "c.jpg"},
	} {
		if got := names(m.View(items, tc.filter, tc.sort, 0)); got != tc.want {
			t.Errorf("filter %q sort %q: %s, want %s", tc.filter, tc.sort, got, tc.want)
		}
	}
	csv := m.ExportCSV(items, 0)
	want := "file,status,genres,error,Drama,Horror\n" +
		"b.jpg,done,Drama,,0.9,0.1\n" +
		"a.jpg,done,Horror|Drama,,0.6,0.7\n" +
		"\"bad, \"\"quoted\"\".jpg\",error,,not an image\n" +
		"c.jpg,done,,,0.2,0.3\n"
	if csv != want {
		t.Errorf("CSV:\n%s\nwant:\n%s", csv, want)
	}
	var doc struct {
		Posters []struct {
			File          string   `json:"file"`
			Genres        []string `json:"genres"`
			ImageNetError string   `json:"imagenet_error"`
		} `json:"posters"`
		Thresholds map[string]float64 `json:"thresholds"`
	}
	if err := json.Unmarshal([]byte(m.ExportJSON(items, 1)), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Posters) != 4 || strings.Join(doc.Posters[3].Genres, "|") != "Horror" || doc.Thresholds["Drama"] >= 0.5 ||
		doc.Posters[3].ImageNetError != "this device is offline" || doc.Posters[0].ImageNetError != "" {
		t.Errorf("JSON export at a generous shift: %+v", doc)
	}
}

func TestCamViewBox(t *testing.T) {
	for _, tc := range []struct {
		policy string
		w, h   int
		want   string
	}{
		{"squash", 200, 300, "0 0 7 7"},
		{"", 200, 300, "0 0 7 7"},
		{"pad", 200, 300, "1.167 0 4.667 7"}, // the poster is the middle 2/3 of the map's width
		{"crop", 200, 300, "0 -1.75 7 10.5"}, // the map is the middle 2/3 of the poster's height
	} {
		if got := camViewBox(tc.policy, tc.w, tc.h); got != tc.want {
			t.Errorf("%s %d×%d: %q, want %q", tc.policy, tc.w, tc.h, got, tc.want)
		}
	}
}
