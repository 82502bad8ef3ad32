package exam

import (
	"context"
	"database/sql"
	"encoding/json"
	"reflect"
	"slices"
	"testing"

	"github.com/council-exam/examd/database/dbtest"
)

// TestArraysRoundTripThroughPostgreSQL: what nullableStrings encodes,
// PostgreSQL reads back element for element — quotes, backslashes, commas,
// braces, the word NULL, empty strings, Persian, JSON — and what jsonList
// encodes, jsonb_array_elements gives back document for document; each
// encoding is as long as the size measured for it.
func TestArraysRoundTripThroughPostgreSQL(t *testing.T) {
	db := dbtest.New(t)
	ctx := context.Background()
	texts := []string{`plain`, `"quoted"`, `back\slash`, `\"`, `a,b`, `{braces}`, `NULL`, ``, ` spaced `,
		"قانون شوراها\u200cی اسلامی", `[{"id":"x","options":["a","b"]}]`, "new\nline\ttab", `\\\\`}
	ptrs := make(nullableStrings, 0, len(texts)+2)
	for i := range texts {
		ptrs = append(ptrs, &texts[i])
	}
	ptrs = append(ptrs[:3], append(nullableStrings{nil}, ptrs[3:]...)...)
	ptrs = append(ptrs, nil)
	var got []sql.NullString
	if err := db.SelectContext(ctx, &got, `SELECT e FROM unnest($1::text[]) WITH ORDINALITY AS t(e, i) ORDER BY i`, ptrs); err != nil {
		t.Fatalf("nullableStrings: %v", err)
	}
	rows := make([]*string, len(got))
	for i, g := range got {
		if g.Valid {
			rows[i] = &g.String
		}
	}
	if !slices.EqualFunc(rows, ptrs, func(a, b *string) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }) {
		t.Errorf("nullableStrings: PostgreSQL read %q", deref(rows))
	}
	if enc, _ := ptrs.Value(); len(enc.([]byte)) != cap(enc.([]byte)) {
		t.Errorf("nullableStrings wrote %d bytes into a buffer of %d", len(enc.([]byte)), cap(enc.([]byte)))
	}

	docs := jsonList{[]byte(`{"id":"q1","options":["a","b"]}`), []byte(`"\"quoted\" \\ back"`), []byte(`[]`),
		[]byte(`{"متن":"قانون شوراها\u200cی"}`), []byte(`null`), []byte(`3.5`)}
	var back []string
	if err := db.SelectContext(ctx, &back, `SELECT d::text FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS t(d, i) ORDER BY i`, docs); err != nil {
		t.Fatalf("jsonList: %v", err)
	}
	if len(back) != len(docs) {
		t.Fatalf("jsonList: %d documents back, want %d", len(back), len(docs))
	}
	for i, d := range docs {
		var a, b any
		if err := json.Unmarshal(d, &a); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal([]byte(back[i]), &b); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(a, b) {
			t.Errorf("jsonList document %d: sent %s, PostgreSQL gave %s", i, d, back[i])
		}
	}
	if enc, _ := docs.Value(); len(enc.([]byte)) != cap(enc.([]byte)) {
		t.Errorf("jsonList wrote %d bytes into a buffer of %d", len(enc.([]byte)), cap(enc.([]byte)))
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
