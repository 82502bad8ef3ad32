package handlers

import (
	"strings"
	"testing"

	"github.com/council-exam/examd/input"
)

func TestCheckJSONShape(t *testing.T) {
	deep := strings.Repeat("[", maxJSONDepth+1) + strings.Repeat("]", maxJSONDepth+1)
	fine := strings.Repeat("[", maxJSONDepth) + strings.Repeat("]", maxJSONDepth)
	for _, tc := range []struct {
		body  string
		field string // "" when accepted
		why   string
	}{
		{`{"a":1,"b":{"a":2},"c":[{"a":3},{"a":4}]}`, "", ""},
		{`{"a":1,"a":2}`, "a", "duplicate_key"},
		{`{"a":{"x":1,"y":[1,2],"x":3}}`, "a.x", "duplicate_key"},
		{`{"a":[1,{"b":1}],"b":2,"a":3}`, "a", "duplicate_key"},
		{`[{"k":"v"},{"k":"v"}]`, "", ""},
		{`{"k":"a","v":"k"}`, "", ""},
		{deep, "body", "too_deep"},
		{fine, "", ""},
		{`{"a":`, "", ""}, // malformed: left to the decoder
		{`{"name":"x\u0000y"}`, "name", "invalid_character"},
		{`{"o":{"k":["a","\u0000"]}}`, "o.k[1]", "invalid_character"},
		{`{"options":[{"key":"a","text":"x\u0000"}]}`, "options[0].text", "invalid_character"},
		{`["\u0000"]`, "[0]", "invalid_character"},
	} {
		err := checkJSONShape([]byte(tc.body))
		if tc.field == "" {
			if err != nil {
				t.Errorf("checkJSONShape(%.40s) = %v, want nil", tc.body, err)
			}
			continue
		}
		ie, ok := err.(*input.Error)
		if !ok || ie.Fields[tc.field] != tc.why {
			t.Errorf("checkJSONShape(%.40s) = %v, want %s: %s", tc.body, err, tc.field, tc.why)
		}
	}
}

// TestFlatObject: the fast path says yes only to flat objects with distinct
// plain keys, and every body it accepts is one checkJSONShape accepts too.
func TestFlatObject(t *testing.T) {
	for _, tc := range []struct {
		body string
		flat bool
	}{
		{`{"choice":"b","flagged":false,"seq":12}`, true},
		{` { "choice" : null , "seq" : 3 } `, true},
		{`{}`, true},
		{`{"a":1,"a":2}`, false},             // duplicate: the full check names it
		{`{"a":"x\u0000"}`, false},           // an escape
		{`{"a":{"b":1}}`, false},             // nested
		{`{"a":[1]}`, false},                 // nested
		{`[1,2]`, false},                     // no object
		{`{"a":1,}`, false},                  // odd syntax
		{`{"a":1`, false},                    // cut short
		{`{"":1}`, false},                    // empty key
		{`{"a":tr"ue}`, false},               // a quote inside a literal
		{`{"a":"x","b":"y","a":"z"}`, false}, // duplicate after others
		{`{"seq":1} trailing`, true},         // trailing data: the decoder refuses it
		{`{"k1":1,"k2":2,"k3":3,"k4":4,"k5":5,"k6":6,"k7":7,"k8":8,"k9":9,"k10":10,"k11":11,"k12":12,"k13":13,"k14":14,"k15":15,"k16":16,"k17":17}`, false},
	} {
		if got := flatObject([]byte(tc.body)); got != tc.flat {
			t.Errorf("flatObject(%s) = %v, want %v", tc.body, got, tc.flat)
		}
		if tc.flat {
			if err := checkJSONShape([]byte(tc.body)); err != nil {
				t.Errorf("flatObject accepts %s but checkJSONShape says %v", tc.body, err)
			}
		}
	}
}

// FuzzFlatObject: whatever flatObject accepts, checkJSONShape accepts.
func FuzzFlatObject(f *testing.F) {
	for _, s := range []string{`{"choice":"b","flagged":false,"seq":12}`, `{"a":1,"a":2}`, `{"a":"\u0000"}`, `{"a":{"a":1}}`, `{}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if flatObject(body) {
			if err := checkJSONShape(body); err != nil {
				t.Fatalf("flatObject accepts %q but checkJSONShape says %v", body, err)
			}
		}
	})
}
