package exam

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"slices"
	"testing"

	"github.com/council-exam/examd/database/dbtest"
)

// TestArraysRoundTripThroughPostgreSQL: what nullableStrings and byteStrings
// encode, PostgreSQL reads back element for element — quotes, backslashes,
// commas, braces, the word NULL, empty strings, Persian, JSON — and each
// encoding is as long as the size measured for it.
func TestArraysRoundTripThroughPostgreSQL(t *testing.T) {
	db := dbtest.New(t)
	texts := []string{`plain`, `"quoted"`, `back\slash`, `\"`, `a,b`, `{braces}`, `NULL`, ``, ` spaced `,
		"قانون شوراها\u200cی اسلامی", `[{"id":"x","options":["a","b"]}]`, "new\nline\ttab", `\\\\`}
	ptrs := make(nullableStrings, 0, len(texts)+2)
	bytes := make(byteStrings, 0, len(texts))
	for i := range texts {
		ptrs = append(ptrs, &texts[i])
		bytes = append(bytes, []byte(texts[i]))
	}
	ptrs = append(ptrs[:3], append(nullableStrings{nil}, ptrs[3:]...)...)
	ptrs = append(ptrs, nil)

	for name, v := range map[string]driver.Valuer{"nullableStrings": ptrs, "byteStrings": bytes} {
		enc, err := v.Value()
		if err != nil {
			t.Fatal(err)
		}
		var got []sql.NullString
		if err := db.SelectContext(context.Background(), &got, `SELECT e FROM unnest($1::text[]) WITH ORDINALITY AS t(e, i) ORDER BY i`, v); err != nil {
			t.Fatalf("%s: %v (sent %s)", name, err, enc)
		}
		rows := make([]*string, len(got))
		for i, g := range got {
			if g.Valid {
				rows[i] = &g.String
			}
		}
		var want []*string
		if name == "nullableStrings" {
			want = ptrs
		} else {
			for i := range texts {
				want = append(want, &texts[i])
			}
		}
		if !slices.EqualFunc(rows, want, func(a, b *string) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }) {
			t.Errorf("%s: PostgreSQL read %v from %s", name, deref(rows), enc)
		}
	}
	// The measured size is the written one.
	n := 2
	for _, s := range texts {
		n += quotedLen(s) + 1
	}
	enc, _ := bytes.Value()
	if got := len(enc.([]byte)); got != n-1 {
		t.Errorf("byteStrings wrote %d bytes, measured %d", got, n-1)
	}
}

func deref(ps []*string) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		if p == nil {
			out[i] = "<NULL>"
		} else {
			out[i] = *p
		}
	}
	return out
}
