package ui

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"math"
	"sort"
	"strconv"
	"strings"
)

// Gallery views: the filter and sort values of the results' controls.
const (
	FilterAll    = ""        // every poster
	FilterErrors = "!errors" // the posters that could not be classified
	FilterNone   = "!none"   // classified, with no genre above threshold

	SortAdded = "added" // arrival order
	SortName  = "name"  // file name, A→Z
	SortProb  = "prob"  // the filtered genre's probability (else the top genre's), high→low
)

// View returns the items to show, in order: those that pass filter (a
// genre label, or one of the Filter values) at the threshold shift, sorted
// by sortBy. items is not modified.
func (m *Model) View(items []*Item, filter, sortBy string, shift float64) []*Item {
	label := -1
	if m != nil {
		for j, l := range m.Labels {
			if l == filter {
				label = j
			}
		}
	}
	out := make([]*Item, 0, len(items))
	for _, it := range items {
		switch {
		case filter == FilterAll:
		case filter == FilterErrors:
			if it.Status != statusError {
				continue
			}
		case filter == FilterNone:
			if it.Status != statusDone || GenresAttr(m.RankShift(it.Probs, shift)) != "" {
				continue
			}
		case label >= 0:
			if it.Status != statusDone || len(it.Probs) != len(m.Labels) || !(it.Probs[label] >= Shifted(m.Thresholds[label], shift)) {
				continue
			}
		}
		out = append(out, it)
	}
	key := func(it *Item) float64 {
		if it.Status != statusDone || len(it.Probs) == 0 {
			return math.Inf(-1)
		}
		if label >= 0 && label < len(it.Probs) {
			return it.Probs[label]
		}
		best := it.Probs[0]
		for _, p := range it.Probs {
			best = max(best, p)
		}
		return best
	}
	switch sortBy {
	case SortName:
		sort.SliceStable(out, func(a, b int) bool { return strings.ToLower(out[a].Name) < strings.ToLower(out[b].Name) })
	case SortProb:
		sort.SliceStable(out, func(a, b int) bool { return key(out[a]) > key(out[b]) })
	}
	return out
}

// ExportCSV writes every item as one CSV row (RFC 4180): file, status,
// genres (predicted at the threshold shift, "|"-separated, descending
// probability), error, then one column per genre with its probability, in
// the model's label order.
func (m *Model) ExportCSV(items []*Item, shift float64) string {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	head := []string{"file", "status", "genres", "error"}
	if m != nil {
		head = append(head, m.Labels...)
	}
	w.Write(head)
	for _, it := range items {
		row := []string{it.Name, it.Status, "", it.Err}
		if it.Status == statusDone && m != nil && len(it.Probs) == len(m.Labels) {
			row[2] = GenresAttr(m.RankShift(it.Probs, shift))
			for _, p := range it.Probs {
				row = append(row, strconv.FormatFloat(float64(float32(p)), 'g', -1, 32))
			}
		}
		w.Write(row)
	}
	w.Flush()
	return b.String()
}

// exportItem is one poster in the JSON export.
type exportItem struct {
	File     string             `json:"file"`
	Status   string             `json:"status"`
	Genres   []string           `json:"genres"`
	Probs    map[string]float32 `json:"probs,omitempty"`
	ImageNet []ImageNetTop      `json:"imagenet,omitempty"`
	// ImageNetError says why the ImageNet top-5 is missing when it was
	// asked for (Item.ImageNetErr).
	ImageNetError string `json:"imagenet_error,omitempty"`
	Width         int    `json:"width,omitempty"`
	Height        int    `json:"height,omitempty"`
	Error         string `json:"error,omitempty"`
}

// exportDoc is the JSON export: the model's identity and the threshold
// setting the genres were predicted at, then every poster.
type exportDoc struct {
	Model      string             `json:"model"`
	Shift      float64            `json:"thresholdShift"`
	Thresholds map[string]float64 `json:"thresholds"`
	Posters    []exportItem       `json:"posters"`
}

// ExportJSON writes every item as JSON (see exportDoc).
func (m *Model) ExportJSON(items []*Item, shift float64) string {
	doc := exportDoc{Shift: shift, Thresholds: map[string]float64{}, Posters: []exportItem{}}
	if m != nil {
		doc.Model = m.Version()
		for j, l := range m.Labels {
			doc.Thresholds[l] = Shifted(m.Thresholds[j], shift)
		}
	}
	for _, it := range items {
		e := exportItem{File: it.Name, Status: it.Status, Genres: []string{}, Error: it.Err, ImageNet: it.ImageNet, ImageNetError: it.ImageNetErr}
		if it.Status == statusDone && m != nil && len(it.Probs) == len(m.Labels) {
			if g := GenresAttr(m.RankShift(it.Probs, shift)); g != "" {
				e.Genres = strings.Split(g, "|")
			}
			e.Probs = map[string]float32{}
			for j, l := range m.Labels {
				e.Probs[l] = float32(it.Probs[j])
			}
			e.Width, e.Height = it.W, it.H
		}
		doc.Posters = append(doc.Posters, e)
	}
	b, _ := json.MarshalIndent(doc, "", " ")
	return string(b) + "\n"
}
