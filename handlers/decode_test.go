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
