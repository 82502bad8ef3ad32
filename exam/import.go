package exam

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/council-exam/examd/audit"
	"github.com/council-exam/examd/database"
	"github.com/council-exam/examd/persian"
)

// LineError is one refused line of an import: the line of a CSV file (the header
// is line 1) or the position (from 1) of an item of a JSON array.
type LineError struct {
	Line    int    `json:"line"`
	Message string `json:"message"`
}

// ImportError refuses a whole import and lists every bad line at once.
type ImportError struct {
	Lines []LineError
}

func (e *ImportError) Error() string {
	return fmt.Sprintf("exam: import refused: %d bad lines", len(e.Lines))
}

// ImportItem is one question of an import with where it came from.
type ImportItem struct {
	Line     int
	Question QuestionRequest
}

// maxImportItems bounds one import.
const maxImportItems = 5000

// csvColumns are the columns of the CSV import; option_c … option_f may be absent.
var csvColumns = []string{"section", "stem", "option_a", "option_b", "option_c", "option_d", "option_e", "option_f", "correct"}

// ParseCSV reads questions from a CSV file (UTF-8, with or without a byte-order
// mark) whose header row names the columns section, stem, option_a … option_f and
// correct, in any order. Empty trailing options are allowed. Structural problems
// come back as an *ImportError.
func ParseCSV(r io.Reader) ([]ImportItem, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(data) {
		return nil, &ImportError{Lines: []LineError{{Line: firstInvalidLine(data), Message: "the file is not UTF-8 text"}}}
	}
	// PostgreSQL text cannot hold NUL; no question has one.
	if i := bytes.IndexByte(data, 0); i >= 0 {
		return nil, &ImportError{Lines: []LineError{{Line: 1 + bytes.Count(data[:i], []byte("\n")), Message: "the file holds a NUL character"}}}
	}
	cr := csv.NewReader(bytes.NewReader(data))
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, &ImportError{Lines: []LineError{{Line: 1, Message: "the file is empty"}}}
	}
	if err != nil {
		return nil, &ImportError{Lines: []LineError{{Line: 1, Message: "no header row: " + csvMessage(err)}}}
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.ToLower(strings.TrimSpace(h))] = i
	}
	var missing []string
	for _, c := range []string{"section", "stem", "option_a", "option_b", "correct"} {
		if _, ok := col[c]; !ok {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		return nil, &ImportError{Lines: []LineError{{Line: 1, Message: "the header lacks the columns " + strings.Join(missing, ", ") +
			" (expected " + strings.Join(csvColumns, ",") + ")"}}}
	}
	var items []ImportItem
	var bad []LineError
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				bad = append(bad, LineError{Line: pe.StartLine, Message: csvMessage(err)})
				continue
			}
			return nil, err
		}
		line, _ := cr.FieldPos(0)
		get := func(name string) string {
			if i, ok := col[name]; ok && i < len(rec) {
				return rec[i]
			}
			return ""
		}
		if strings.TrimSpace(strings.Join(rec, "")) == "" {
			continue // a blank line
		}
		q := QuestionRequest{Section: get("section"), Stem: get("stem"), Correct: get("correct")}
		gap, refused := false, false
		for _, k := range optionKeys {
			text := strings.TrimSpace(get("option_" + string(k)))
			if text == "" {
				gap = true
				continue
			}
			if gap {
				bad = append(bad, LineError{Line: line, Message: fmt.Sprintf("option_%c is filled after an empty option", k)})
				refused = true
				break
			}
			q.Options = append(q.Options, Option{Key: string(k), Text: text})
		}
		if refused {
			// One reason per line: the truncated options would only add a misleading one.
			continue
		}
		items = append(items, ImportItem{Line: line, Question: q})
		if len(items) > maxImportItems {
			return nil, &ImportError{Lines: []LineError{{Line: line, Message: fmt.Sprintf("more than %d questions in one import", maxImportItems)}}}
		}
	}
	if len(bad) > 0 {
		// Report the structural problems together with the content problems.
		return items, &ImportError{Lines: bad}
	}
	return items, nil
}

func csvMessage(err error) string {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return "malformed CSV: " + pe.Err.Error()
	}
	return err.Error()
}

func firstInvalidLine(data []byte) int {
	line := 1
	for len(data) > 0 {
		r, size := utf8.DecodeRune(data)
		if r == utf8.RuneError && size <= 1 {
			return line
		}
		if r == '\n' {
			line++
		}
		data = data[size:]
	}
	return line
}

// ParseJSON reads questions from a JSON array of single questions; item n (from 1)
// is reported as line n. A file that is not UTF-8 is refused whole, and an item
// with a NUL character in its text is a bad line.
func ParseJSON(r io.Reader) ([]ImportItem, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	if !utf8.Valid(data) {
		// encoding/json would quietly turn the bad bytes into U+FFFD.
		return nil, &ImportError{Lines: []LineError{{Line: 1, Message: "the file is not UTF-8 text"}}}
	}
	var raw []json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, &ImportError{Lines: []LineError{{Line: 1, Message: "not a JSON array of questions: " + err.Error()}}}
	}
	if len(raw) > maxImportItems {
		return nil, &ImportError{Lines: []LineError{{Line: maxImportItems + 1, Message: fmt.Sprintf("more than %d questions in one import", maxImportItems)}}}
	}
	items := make([]ImportItem, 0, len(raw))
	var bad []LineError
	for i, m := range raw {
		var q QuestionRequest
		if err := json.Unmarshal(m, &q); err != nil {
			bad = append(bad, LineError{Line: i + 1, Message: "not a question: " + err.Error()})
			continue
		}
		if q.hasNUL() {
			bad = append(bad, LineError{Line: i + 1, Message: "the question holds a NUL character"})
			continue
		}
		items = append(items, ImportItem{Line: i + 1, Question: q})
	}
	if len(bad) > 0 {
		return items, &ImportError{Lines: bad}
	}
	return items, nil
}

// hasNUL reports whether any text of r holds NUL, which PostgreSQL text cannot.
func (r *QuestionRequest) hasNUL() bool {
	if strings.ContainsRune(r.Section+r.Stem+r.Correct, 0) {
		return true
	}
	for _, o := range r.Options {
		if strings.ContainsRune(o.Key+o.Text, 0) {
			return true
		}
	}
	return false
}

// ImportQuestions adds every item to the bank, or none: each bad item — invalid,
// a stem repeated within the import, or a stem an active question of its section
// already has — is reported in one *ImportError with its line. prior carries
// problems already found while parsing, reported together with these.
func (s *Store) ImportQuestions(ctx context.Context, actor audit.Actor, items []ImportItem, prior error) (int, error) {
	var bad []LineError
	var pie *ImportError
	if errors.As(prior, &pie) {
		bad = append(bad, pie.Lines...)
	} else if prior != nil {
		return 0, prior
	}
	if len(items) == 0 && len(bad) == 0 {
		return 0, &ImportError{Lines: []LineError{{Line: 1, Message: "the file holds no questions"}}}
	}
	firstLine := map[string]int{}
	reqs := make([]QuestionRequest, 0, len(items))
	lines := make([]int, 0, len(items))
	for _, it := range items {
		q := it.Question
		q.normalize()
		if p := q.check(); p.Err() != nil {
			bad = append(bad, LineError{Line: it.Line, Message: describe(p.Fields)})
			continue
		}
		key := q.Section + "\x00" + persian.Key(q.Stem)
		if first, ok := firstLine[key]; ok {
			bad = append(bad, LineError{Line: it.Line, Message: fmt.Sprintf("the same stem as line %d in section %s", first, q.Section)})
			continue
		}
		firstLine[key] = it.Line
		reqs = append(reqs, q)
		lines = append(lines, it.Line)
	}
	var n int
	err := database.WithTx(ctx, s.DB, func(tx *sqlx.Tx) error {
		// Stems already in the bank, found with one query.
		sections := make([]string, len(reqs))
		keys := make([]string, len(reqs))
		for i, q := range reqs {
			sections[i], keys[i] = q.Section, persian.Key(q.Stem)
		}
		var dups []struct {
			I int `db:"i"`
		}
		const dq = `SELECT t.i - 1 AS i
			FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS t(section, stem_key, i)
			JOIN questions q ON q.section = t.section AND q.stem_key = t.stem_key AND q.status = 'active'`
		if err := tx.SelectContext(ctx, &dups, dq, pq.StringArray(sections), pq.StringArray(keys)); err != nil {
			return fmt.Errorf("exam: import duplicates: %w", err)
		}
		for _, d := range dups {
			bad = append(bad, LineError{Line: lines[d.I], Message: "a question with this stem is already in section " + reqs[d.I].Section})
		}
		if len(bad) > 0 {
			sort.SliceStable(bad, func(i, j int) bool { return bad[i].Line < bad[j].Line })
			return &ImportError{Lines: bad}
		}
		ids, err := insertQuestions(ctx, tx, actor, reqs)
		if errors.Is(err, database.ErrConflict) {
			// Another import added one of these stems since the check above.
			return &ImportError{Lines: []LineError{{Line: 1, Message: "a question with one of these stems was added meanwhile; import again to see which"}}}
		}
		if err != nil {
			return err
		}
		n = len(ids)
		return audit.Append(ctx, tx, actor, audit.Entry{Action: "question.import", ObjectType: "question", ObjectID: "",
			Details: map[string]any{"imported": n, "ids": ids}})
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

// describe turns field reasons into one line's message, fields in order.
func describe(fields map[string]string) string {
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, k+": "+fields[k])
	}
	return strings.Join(parts, "; ")
}
