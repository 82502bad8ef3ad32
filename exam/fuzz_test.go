package exam_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/council-exam/examd/exam"
)

// fzCSVSeeds are question files as officials (and their spreadsheets) write them,
// and as they should not.
var fzCSVSeeds = []string{
	"section,stem,option_a,option_b,option_c,option_d,option_e,option_f,correct\n" +
		"councils_law,مدت هر دوره شوراها چند سال است؟,دو سال,چهار سال,,,,,b\n",
	bom + "section,stem,option_a,option_b,option_c,option_d,option_e,option_f,correct\r\n" +
		"councils_law,\"مدت هر دوره شوراها، چند سال است؟\",دو سال,چهار سال,شش سال,,,,b\r\n" +
		"city_management,شوراي اسلامي روستا چگونه تشکيل مي‌شود؟,با انتخابات,با انتصاب,,,,,A\r\n",
	"correct,option_b,option_a,stem,section\na,دو,یک,پرسش؟,law\n",
	"Section , STEM,Option_A,option_b,correct\nlaw,پرسش؟,یک,دو,a\n\n\n",
	"section,stem,option_a,option_b,option_c,correct\nlaw,پرسش؟,یک,,سه,a\n",
	"section,stem,option_a,option_b,correct\nlaw,\"بی‌پایان,یک,دو,a\n",
	"section,stem,option_a,option_b,correct\nlaw,پر\"سش,یک,دو,a\n",
	"section,stem,option_a,option_b,correct\nlaw,پرسش؟,یک,دو,a,اضافه,و بیشتر\nlaw\n",
	"section,stem,option_a,option_b,correct\nlaw,پرسش؟,یک,دو,a\nlaw,پرسش؟,یک,دو,a\n",
	"section,stem,option_a,option_b,correct\nlaw,<script>window.__pwned=1</script>,<img src=x onerror=alert(1)>,'; DROP TABLE questions; --,b\n",
	"section,stem,option_a,option_b,correct\nlaw,پرسش\x00؟,یک,دو,a\n",
	"section,stem,option_a,option_b,correct\nlaw,پرسش\xff؟,یک,دو,a\n",
	"section,stem,option_a,option_b,correct\nلا,پرسش؟,یک,دو,a\n",
	"section,stem,option_a,option_b,correct\nlaw,,,,\n",
	"section,stem,option_a,correct\nlaw,پرسش؟,یک,a\n",
	"stem,option_a\n",
	"", "\n", bom, "\r", "\"", "a,b\nc", "section\n" + strings.Repeat(",", 100),
}

// fzJSONSeeds are JSON question files.
var fzJSONSeeds = []string{
	`[{"section":"councils_law","stem":"پرسش؟","options":[{"key":"a","text":"یک"},{"key":"b","text":"دو"}],"correct":"a"}]`,
	`[{"section":"law","stem":"پرسش؟","options":[{"key":"a","text":"یک"},{"key":"b","text":"دو"}],"correct":"a"},{"section":"law","stem":"پرسش؟","options":[],"correct":"z"}]`,
	`[{"section":1},"x",null,[],{}]`,
	`[{"section":"law","stem":"پرسش\u0000؟","options":[{"key":"a","text":"یک"},{"key":"b","text":"دو"}],"correct":"a"}]`,
	"[{\"section\":\"law\",\"stem\":\"\xff\",\"options\":[{\"key\":\"a\",\"text\":\"یک\"},{\"key\":\"b\",\"text\":\"دو\"}],\"correct\":\"a\"}]",
	`[{"section":"law","stem":"پرسش؟","options":[{"key":"a","text":"یک"},{"key":"b","text":"دو"}],"correct":"a","correct":"b"}]`,
	`[] []`, `[`, `{}`, `null`, ``, `[` + strings.Repeat(`{"stem":`, 30) + `"x"` + strings.Repeat(`}`, 30) + `]`,
}

// fzCheckItems checks what the parsers promise of their answer: items or an
// *exam.ImportError with at least one line, line numbers from first on, items in
// file order, no text that PostgreSQL could not store.
func fzCheckItems(t *testing.T, items []exam.ImportItem, err error, first int) {
	t.Helper()
	if err != nil {
		var ie *exam.ImportError
		if !errors.As(err, &ie) {
			t.Fatalf("error %v (%T) is no *exam.ImportError", err, err)
		}
		if len(ie.Lines) == 0 {
			t.Fatalf("an ImportError without lines")
		}
		for _, l := range ie.Lines {
			if l.Line < 1 || l.Message == "" {
				t.Fatalf("bad line error %+v", l)
			}
		}
	}
	last := 0
	for _, it := range items {
		if it.Line < first || it.Line <= last {
			t.Fatalf("item lines out of order: %d after %d", it.Line, last)
		}
		last = it.Line
		q := it.Question
		texts := []string{q.Section, q.Stem, q.Correct}
		for _, o := range q.Options {
			texts = append(texts, o.Key, o.Text)
		}
		for _, s := range texts {
			if !utf8.ValidString(s) || strings.ContainsRune(s, 0) {
				t.Fatalf("line %d holds text PostgreSQL cannot store: %q", it.Line, s)
			}
		}
	}
}

// FuzzParseJSON: ParseJSON never panics and keeps its promises.
func FuzzParseJSON(f *testing.F) {
	for _, s := range fzJSONSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		items, err := exam.ParseJSON(bytes.NewReader(data))
		fzCheckItems(t, items, err, 1)
	})
}

// FuzzParseCSV parses arbitrary files and imports them on a real database.
// ParseCSV never panics, keeps its promises and reads a file the same with or
// without a byte-order mark; a refused import (an *exam.ImportError, never
// another error) adds no question and no audit row; an accepted one adds exactly
// its questions and one audit row.
func FuzzParseCSV(f *testing.F) {
	for _, s := range fzCSVSeeds {
		f.Add([]byte(s))
	}
	s, db, admin := mustStore(f)
	count := func(t *testing.T) (questions, audits int) {
		t.Helper()
		if err := db.Get(&questions, `SELECT count(*) FROM questions`); err != nil {
			t.Fatal(err)
		}
		if err := db.Get(&audits, `SELECT count(*) FROM audit_log`); err != nil {
			t.Fatal(err)
		}
		return questions, audits
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		items, perr := exam.ParseCSV(bytes.NewReader(data))
		fzCheckItems(t, items, perr, 2)
		if !bytes.HasPrefix(data, []byte(bom)) {
			again, err := exam.ParseCSV(bytes.NewReader(append([]byte(bom), data...)))
			if (err == nil) != (perr == nil) || len(again) != len(items) {
				t.Fatalf("with a byte-order mark: %d items, %v; without: %d items, %v", len(again), err, len(items), perr)
			}
		}

		q0, a0 := count(t)
		n, err := s.ImportQuestions(context.Background(), admin, items, perr)
		q1, a1 := count(t)
		if err != nil {
			var ie *exam.ImportError
			if !errors.As(err, &ie) {
				t.Fatalf("import of %q: %v (%T), want an *exam.ImportError", data, err, err)
			}
			if n != 0 || q1 != q0 || a1 != a0 {
				t.Fatalf("a refused import (%v) returned %d and left %d questions (was %d), %d audit rows (was %d)", err, n, q1, q0, a1, a0)
			}
			return
		}
		if perr != nil {
			t.Fatalf("ParseCSV refused the file (%v) yet it was imported", perr)
		}
		if n != len(items) || q1 != q0+n || a1 != a0+1 {
			t.Fatalf("imported %d of %d items: %d questions (was %d), %d audit rows (was %d)", n, len(items), q1, q0, a1, a0)
		}
	})
}
