package ui

import (
	"encoding/xml"
	"io"
	"strings"
	"testing"
)

// node is an element of a card's markup read back as XML.
type node struct {
	Name     string
	Attrs    map[string]string
	Text     string
	Children []*node
}

// parseCard reads cardHTML's output, failing the test if it is not
// well-formed.
func parseCard(t *testing.T, s string) *node {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(s))
	d.Strict = true
	var stack []*node
	var root *node
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("card markup is not well-formed: %v\n%s", err, s)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			n := &node{Name: tok.Name.Local, Attrs: map[string]string{}}
			for _, a := range tok.Attr {
				n.Attrs[a.Name.Local] = a.Value
			}
			if len(stack) > 0 {
				top := stack[len(stack)-1]
				top.Children = append(top.Children, n)
			} else if root != nil {
				t.Fatalf("card markup has two roots:\n%s", s)
			} else {
				root = n
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			for _, n := range stack {
				n.Text += string(tok)
			}
		}
	}
	if root == nil {
		t.Fatalf("empty card markup")
	}
	return root
}

// find returns the elements under n (n included) with the given attribute
// value.
func (n *node) find(attr, value string) []*node {
	var out []*node
	if v, ok := n.Attrs[attr]; ok && v == value {
		out = append(out, n)
	}
	for _, c := range n.Children {
		out = append(out, c.find(attr, value)...)
	}
	return out
}

func TestCardHTML(t *testing.T) {
	m := testModel("multi-label")
	cams := make([]float32, len(m.Labels)*camCells)
	for i := range cams {
		cams[i] = float32(i%camCells) / camCells
	}
	cases := []struct {
		name    string
		item    Item
		working bool
		shift   float64
		status  string
		genres  *string // data-genres; nil: absent
		toggles []string
		text    string // somewhere in the card
	}{
		{name: "queued", item: Item{ID: 1, Name: "a.jpg", Status: statusPending}, status: "queued", text: "Waiting…"},
		{name: "working", item: Item{ID: 2, Name: "b.jpg", Status: statusPending}, working: true, status: "working", text: "Classifying…"},
		{name: "error, name needing escapes", item: Item{ID: 3, Name: `<x> & "y".png`, Status: statusError, Err: "not an image"},
			status: "error", text: "Could not classify this file: not an image."},
		{name: "two genres", item: Item{ID: 4, Name: "c.jpg", Status: statusDone, Probs: []float64{0.2, 0.35, 0.9, 0.1}, Cams: cams, Thumb: "blob:x"},
			status: "done", genres: ptr("Drama|Comedy"), toggles: []string{"Drama", "Comedy"}, text: "Drama"},
		{name: "no genre: empty data-genres", item: Item{ID: 5, Name: "d.jpg", Status: statusDone, Probs: []float64{0.1, 0.1, 0.1, 0.1}},
			status: "done", genres: ptr(""), text: "No genre above threshold"},
		{name: "generous shift adds a genre", item: Item{ID: 6, Name: "e.jpg", Status: statusDone, Probs: []float64{0.45, 0.05, 0.1, 0.1}, Cams: cams},
			shift: 1.5, status: "done", genres: ptr("Action"), toggles: []string{"Action"}},
		{name: "heatmap on", item: Item{ID: 7, Name: "f.jpg", Status: statusDone, Probs: []float64{0.9, 0.1, 0.1, 0.1}, Cams: cams, Thumb: "blob:y", Heat: "Action", W: 182, H: 268},
			status: "done", genres: ptr("Action"), toggles: []string{"Action"}},
		{name: "ImageNet top-5", item: Item{ID: 8, Name: "g.jpg", Status: statusDone, Probs: []float64{0.9, 0.1, 0.1, 0.1},
			ImageNet: []ImageNetTop{{Index: 1, Label: "goldfish", Synset: "n01443537", Prob: 0.5}}},
			status: "done", genres: ptr("Action"), text: "goldfish 50%"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := cardHTML(&c.item, m, c.working, c.shift)
			li := parseCard(t, s)
			if li.Name != "li" || li.Attrs["data-testid"] != "result" {
				t.Fatalf("root is <%s data-testid=%q>, want <li data-testid=\"result\">", li.Name, li.Attrs["data-testid"])
			}
			if got := li.Attrs["data-file"]; got != c.item.Name {
				t.Errorf("data-file = %q, want %q", got, c.item.Name)
			}
			if got := li.Attrs["data-status"]; got != c.status {
				t.Errorf("data-status = %q, want %q", got, c.status)
			}
			g, ok := li.Attrs["data-genres"]
			switch {
			case c.genres == nil && ok:
				t.Errorf("data-genres = %q on a %s card", g, c.status)
			case c.genres != nil && !ok:
				t.Errorf("data-genres missing, want %q", *c.genres)
			case c.genres != nil && g != *c.genres:
				t.Errorf("data-genres = %q, want %q", g, *c.genres)
			}
			if c.status == "done" && li.Attrs["data-probs"] != m.ProbsAttr(c.item.Probs) {
				t.Errorf("data-probs = %q, want %q", li.Attrs["data-probs"], m.ProbsAttr(c.item.Probs))
			}
			var toggles []string
			for _, b := range li.find("data-testid", "heatmap-toggle") {
				toggles = append(toggles, b.Attrs["data-genre"])
				if b.Attrs["data-action"] != "heat" || b.Attrs["data-id"] != li.Attrs["data-id"] {
					t.Errorf("toggle %v does not name its action and card", b.Attrs)
				}
				if want := map[bool]string{true: "true", false: "false"}[b.Attrs["data-genre"] == c.item.Heat]; b.Attrs["aria-pressed"] != want {
					t.Errorf("toggle %s aria-pressed = %q, want %q", b.Attrs["data-genre"], b.Attrs["aria-pressed"], want)
				}
			}
			if strings.Join(toggles, "|") != strings.Join(c.toggles, "|") {
				t.Errorf("heatmap toggles %q, want %q", toggles, c.toggles)
			}
			rm := li.find("data-action", "remove")
			if len(rm) != 1 || rm[0].Attrs["aria-label"] != "Remove "+c.item.Name {
				t.Errorf("want one remove button labelled for the file, got %d", len(rm))
			}
			heat := li.find("data-testid", "heatmap")
			if (c.item.Heat != "") != (len(heat) == 1) {
				t.Errorf("%d heatmaps with Heat %q", len(heat), c.item.Heat)
			}
			if len(heat) == 1 && heat[0].Attrs["data-genre"] != c.item.Heat {
				t.Errorf("heatmap of %q, want %q", heat[0].Attrs["data-genre"], c.item.Heat)
			}
			if !strings.Contains(li.Text, c.text) {
				t.Errorf("card text %q lacks %q", li.Text, c.text)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }
