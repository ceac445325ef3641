package dataset

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"posterity/internal/atomicfile"
)

// LabelsFile and ImagesDir name the parts of the labelled layout.
const (
	LabelsFile = "labels.csv"
	ImagesDir  = "images"
)

// labelsHeader is the header WriteLabels writes and the column names
// ReadLabels looks for.
var labelsHeader = []string{"imdbId", "title", "year", "genres"}

// Poster is one labelled movie poster.
type Poster struct {
	// ID is the IMDb id without the "tt" prefix, e.g. "114709" for Toy
	// Story, or for ReadClassFolders "<class>/<file stem>".
	ID string
	// Title is the movie title, without the year.
	Title string
	// Year is the release year, or 0 when it is not known.
	Year int
	// Genres are the poster's labels, e.g. ["Animation", "Comedy"].
	Genres []string
	// Path is the poster image's file path.
	Path string
}

// ImagePath returns the path of the poster with the given id in the
// labelled layout rooted at dir: dir/images/<id>.jpg.
func ImagePath(dir, id string) string {
	return filepath.Join(dir, ImagesDir, id+".jpg")
}

// ValidID reports whether id can name an image file: not empty, no path
// separators, not "." or "..", and no control characters.
func ValidID(id string) bool {
	if id == "" || id == "." || id == ".." {
		return false
	}
	for _, r := range id {
		if r == '/' || r == '\\' || r < ' ' || r == 0x7f {
			return false
		}
	}
	return true
}

// ReadLabels reads dir/labels.csv and returns its posters in file order,
// each with Path set to dir/images/<imdbId>.jpg. The header row is
// required; columns are located by name (case-insensitively), a leading
// UTF-8 byte order mark is ignored and extra columns are allowed. imdbId and
// genres are required columns, title and year optional. An empty year means
// unknown (0); an empty genres field gives a poster with no genres, which
// SelectGenres later drops. Malformed rows are reported as "file:line: ...".
// ReadLabels does not open the images; a missing images/ directory is an
// error.
func ReadLabels(dir string) ([]Poster, error) {
	st, err := os.Stat(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("dataset: poster directory %s does not exist", dir)
		}
		return nil, fmt.Errorf("dataset: %w", err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("dataset: %s is not a directory", dir)
	}
	name := filepath.Join(dir, LabelsFile)
	data, err := os.ReadFile(name)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("dataset: no %s in %s: expected the labelled layout %s + %s/<imdbId>.jpg",
				LabelsFile, dir, LabelsFile, ImagesDir)
		}
		return nil, fmt.Errorf("dataset: %w", err)
	}
	if st, err := os.Stat(filepath.Join(dir, ImagesDir)); err != nil || !st.IsDir() {
		return nil, fmt.Errorf("dataset: no %s/ directory in %s: expected the labelled layout %s + %s/<imdbId>.jpg",
			ImagesDir, dir, LabelsFile, ImagesDir)
	}
	posters, err := parseLabels(bytes.NewReader(data), name, dir)
	if err != nil {
		return nil, err
	}
	return posters, nil
}

// parseLabels parses a labels.csv stream; name prefixes error messages
// and dir roots the image paths.
func parseLabels(r io.Reader, name, dir string) ([]Poster, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1 // checked per row, with a clearer message
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err == io.EOF {
		return nil, fmt.Errorf("dataset: %s is empty: want a header row %s", name, strings.Join(labelsHeader, ","))
	}
	if err != nil {
		return nil, fmt.Errorf("dataset: %s: %w", name, err)
	}
	cols, err := findColumns(header, []string{"imdbId", "genres"}, []string{"title", "year"})
	if err != nil {
		return nil, fmt.Errorf("dataset: %s:1: %w", name, err)
	}
	iID, iGenres, iTitle, iYear := cols[0], cols[1], cols[2], cols[3]
	width := len(header)

	var posters []Poster
	seen := make(map[string]int) // id → line
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("dataset: %s: %w", name, err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) != width {
			return nil, fmt.Errorf("dataset: %s:%d: %d fields, want %d as in the header", name, line, len(rec), width)
		}
		id := strings.TrimSpace(rec[iID])
		if !ValidID(id) {
			return nil, fmt.Errorf("dataset: %s:%d: invalid imdbId %q", name, line, id)
		}
		if prev, dup := seen[id]; dup {
			return nil, fmt.Errorf("dataset: %s:%d: duplicate imdbId %s (first on line %d)", name, line, id, prev)
		}
		seen[id] = line
		p := Poster{ID: id, Genres: SplitGenres(rec[iGenres]), Path: ImagePath(dir, id)}
		if iTitle >= 0 {
			p.Title = rec[iTitle]
		}
		if iYear >= 0 {
			if y := strings.TrimSpace(rec[iYear]); y != "" {
				p.Year, err = strconv.Atoi(y)
				if err != nil || p.Year < 0 {
					return nil, fmt.Errorf("dataset: %s:%d: invalid year %q", name, line, rec[iYear])
				}
			}
		}
		posters = append(posters, p)
	}
	return posters, nil
}

// findColumns returns the index of each required then each optional column
// in header, matched case-insensitively after trimming blanks and a UTF-8
// byte order mark. A missing optional column has index -1.
func findColumns(header, required, optional []string) ([]int, error) {
	index := make(map[string]int, len(header))
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if _, dup := index[h]; !dup {
			index[h] = i
		}
	}
	var cols []int
	for _, name := range required {
		i, ok := index[strings.ToLower(name)]
		if !ok {
			return nil, fmt.Errorf("header has no %q column (header: %s)", name, strings.Join(header, ","))
		}
		cols = append(cols, i)
	}
	for _, name := range optional {
		i, ok := index[strings.ToLower(name)]
		if !ok {
			i = -1
		}
		cols = append(cols, i)
	}
	return cols, nil
}

// SplitGenres splits a '|'-joined genre list, trimming blanks and dropping
// empty and repeated entries; "N/A" counts as empty.
func SplitGenres(s string) []string {
	var out []string
	for g := range strings.SplitSeq(s, "|") {
		g = strings.TrimSpace(g)
		if g == "" || g == "N/A" || contains(out, g) {
			continue
		}
		out = append(out, g)
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// WriteLabels writes posters to dir/labels.csv in the layout ReadLabels
// reads (imdbId,title,year,genres; year empty when 0), creating dir if
// needed. The file is written to a temporary file in dir and renamed over
// labels.csv, so a reader never sees a half-written file. Poster paths are
// not written: they are implied by the layout.
func WriteLabels(dir string, posters []Poster) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("dataset: writing labels: %w", err)
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write(labelsHeader)
	for _, p := range posters {
		if !ValidID(p.ID) {
			return fmt.Errorf("dataset: writing labels: invalid poster id %q", p.ID)
		}
		year := ""
		if p.Year != 0 {
			year = strconv.Itoa(p.Year)
		}
		w.Write([]string{p.ID, p.Title, year, strings.Join(p.Genres, "|")})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return fmt.Errorf("dataset: writing labels: %w", err)
	}
	if err := atomicfile.Write(filepath.Join(dir, LabelsFile), buf.Bytes()); err != nil {
		return fmt.Errorf("dataset: writing labels: %w", err)
	}
	return nil
}
