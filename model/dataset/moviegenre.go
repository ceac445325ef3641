package dataset

import (
	"encoding/csv"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// MovieGenreRow is one row of Kaggle's MovieGenre.csv ("Movie Genre from its
// Poster", neha1703).
type MovieGenreRow struct {
	// ID is the imdbId column: the IMDb id with no "tt" prefix.
	ID string
	// Title is the title with the trailing " (YYYY)" removed.
	Title string
	// Year is parsed from "Title (YYYY)", or 0 when the title has none.
	Year int
	// Genres come from the '|'-joined Genre column; empty when the
	// column is.
	Genres []string
	// IMDbLink is the "Imdb Link" column.
	IMDbLink string
	// Score is the "IMDB Score" column, 0 when empty.
	Score float64
	// PosterURL is the Poster column: the image URL, possibly empty.
	PosterURL string
}

// Poster returns the row as a Poster whose image is at path.
func (r MovieGenreRow) Poster(path string) Poster {
	return Poster{ID: r.ID, Title: r.Title, Year: r.Year, Genres: r.Genres, Path: path}
}

// titleYear matches a title ending in a year, "Toy Story (1995)", also with
// IMDb's disambiguation suffix, "Crash (2004/I)".
var titleYear = regexp.MustCompile(`^(.*?)\s*\((\d{4})(?:/[IVXL]+)?\)\s*$`)

// ReadMovieGenreCSV reads Kaggle's MovieGenre.csv, decoding it as Latin-1
// (each byte is the rune of the same value). The header row must name the
// columns imdbId, Title, Genre and Poster; Imdb Link and IMDB Score are
// optional and other columns are ignored. Rows with an empty Genre are kept
// with no genres, rows with an empty Poster with an empty PosterURL; of rows
// that repeat an imdbId only the first is kept. Quotes are read leniently
// (csv.Reader.LazyQuotes): a bare '"' in an unquoted field is kept as text.
// Errors name the line.
func ReadMovieGenreCSV(r io.Reader) ([]MovieGenreRow, error) {
	cr := csv.NewReader(newLatin1Reader(r))
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true // a scraped file: allow a bare " inside an unquoted title
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err == io.EOF {
		return nil, fmt.Errorf("dataset: MovieGenre.csv is empty: want a header row")
	}
	if err != nil {
		return nil, fmt.Errorf("dataset: MovieGenre.csv: %w", err)
	}
	cols, err := findColumns(header, []string{"imdbId", "Title", "Genre", "Poster"}, []string{"Imdb Link", "IMDB Score"})
	if err != nil {
		return nil, fmt.Errorf("dataset: MovieGenre.csv line 1: %w", err)
	}
	iID, iTitle, iGenre, iPoster, iLink, iScore := cols[0], cols[1], cols[2], cols[3], cols[4], cols[5]
	width := len(header)

	var rows []MovieGenreRow
	seen := make(map[string]bool)
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("dataset: MovieGenre.csv: %w", err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) != width {
			return nil, fmt.Errorf("dataset: MovieGenre.csv line %d: %d fields, want %d as in the header", line, len(rec), width)
		}
		id := strings.TrimSpace(rec[iID])
		if !ValidID(id) {
			return nil, fmt.Errorf("dataset: MovieGenre.csv line %d: invalid imdbId %q", line, id)
		}
		if seen[id] {
			continue
		}
		seen[id] = true
		row := MovieGenreRow{
			ID:        id,
			Genres:    SplitGenres(rec[iGenre]),
			PosterURL: strings.TrimSpace(rec[iPoster]),
		}
		row.Title, row.Year = splitTitleYear(rec[iTitle])
		if iLink >= 0 {
			row.IMDbLink = strings.TrimSpace(rec[iLink])
		}
		if iScore >= 0 {
			if s := strings.TrimSpace(rec[iScore]); s != "" {
				row.Score, err = strconv.ParseFloat(s, 64)
				if err != nil {
					return nil, fmt.Errorf("dataset: MovieGenre.csv line %d: invalid IMDB Score %q", line, s)
				}
			}
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// splitTitleYear splits "Title (YYYY)" into its title and year; a title
// without a year is returned whole, trimmed, with year 0.
func splitTitleYear(s string) (string, int) {
	s = strings.TrimSpace(s)
	m := titleYear.FindStringSubmatch(s)
	if m == nil {
		return s, 0
	}
	y, _ := strconv.Atoi(m[2]) // four digits: cannot fail
	return m[1], y
}

// latin1Reader decodes ISO 8859-1 to UTF-8: every byte is the code point of
// the same value, so bytes below 0x80 pass through and the others become
// two-byte UTF-8 sequences.
type latin1Reader struct {
	r   io.Reader
	in  []byte // read buffer
	dec []byte // decode buffer
	out []byte // the part of dec not yet returned
}

func newLatin1Reader(r io.Reader) *latin1Reader {
	return &latin1Reader{r: r, in: make([]byte, 32<<10)}
}

func (l *latin1Reader) Read(p []byte) (int, error) {
	if len(l.out) == 0 {
		n, err := l.r.Read(l.in)
		if n == 0 {
			return 0, err
		}
		l.dec = l.dec[:0]
		for _, b := range l.in[:n] {
			l.dec = utf8.AppendRune(l.dec, rune(b))
		}
		l.out = l.dec
	}
	n := copy(p, l.out)
	l.out = l.out[n:]
	return n, nil
}
