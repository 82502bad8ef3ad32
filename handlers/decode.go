package handlers

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/council-exam/examd/input"
)

// decodeJSON reads the request body as one JSON value into dst. It refuses a
// content type other than application/json (415), a body over the cap (413),
// malformed JSON or trailing data (400 malformed_json). Values of the wrong type
// come back as one *input.Error naming every such field ("wrong_type"), and
// fields whose text is not UTF-8 as "invalid_utf8" (encoding/json would quietly
// turn those bytes into U+FFFD and store text the client never sent), with the
// other fields of dst filled in, so a caller can still check them; so do the
// problems checkJSONShape finds.
func decodeJSON(c *gin.Context, dst any) error {
	mt, _, err := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if err != nil || mt != "application/json" {
		return errMediaType
	}
	body, err := io.ReadAll(c.Request.Body)
	if err != nil {
		return jsonError(err)
	}
	if flatObject(body) {
		// Nothing for checkJSONShape to find (the answer saves: the hot path).
	} else if err := checkJSONShape(body); err != nil {
		// What decodes still fills dst, so that a caller reporting every wrong
		// field at once does not call the other fields missing.
		_ = json.Unmarshal(body, dst)
		return err
	}
	var notUTF8 *input.Error
	if !utf8.Valid(body) {
		notUTF8 = utf8Problems(body)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(dst); err != nil {
		var ute *json.UnmarshalTypeError
		if errors.As(err, &ute) {
			if all := fieldTypeErrors(body, dst); all != nil {
				if notUTF8 != nil {
					for f, why := range notUTF8.Fields {
						all.Add(f, why)
					}
				}
				return all
			}
		}
		return jsonError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errMalformedJSON
	}
	if notUTF8 != nil {
		return notUTF8
	}
	return nil
}

// utf8Problems names the fields of a JSON object body whose values hold bytes
// that are not UTF-8 ("invalid_utf8"), or "body" when the bad bytes are in a key
// or the body is no object.
func utf8Problems(body []byte) *input.Error {
	var fields map[string]json.RawMessage
	if json.Unmarshal(body, &fields) != nil {
		return input.Invalid("body", "invalid_utf8")
	}
	problems := &input.Error{}
	for name, raw := range fields {
		if !utf8.Valid(raw) {
			problems.Add(name, "invalid_utf8")
		}
	}
	if len(problems.Fields) == 0 {
		problems.Add("body", "invalid_utf8")
	}
	return problems
}

// fieldTypeErrors decodes a JSON object field by field into the struct dst points
// to, setting what decodes and naming every field whose value has the wrong type.
// It returns nil when dst is not a struct or body not an object.
func fieldTypeErrors(body []byte, dst any) *input.Error {
	v := reflect.ValueOf(dst)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return nil
	}
	var fields map[string]json.RawMessage
	if json.Unmarshal(body, &fields) != nil {
		return nil
	}
	st := v.Elem()
	problems := &input.Error{}
	for i := 0; i < st.NumField(); i++ {
		name := strings.Split(st.Type().Field(i).Tag.Get("json"), ",")[0]
		raw, ok := fields[name]
		if name == "" || name == "-" || !ok {
			continue
		}
		fv := reflect.New(st.Field(i).Type())
		if err := json.Unmarshal(raw, fv.Interface()); err != nil {
			problems.Add(name, "wrong_type")
			continue
		}
		st.Field(i).Set(fv.Elem())
	}
	if len(problems.Fields) == 0 {
		return nil
	}
	return problems
}

func jsonError(err error) error {
	var mbe *http.MaxBytesError
	var ute *json.UnmarshalTypeError
	switch {
	case errors.As(err, &mbe):
		return errBodyTooLarge
	case errors.As(err, &ute):
		field := ute.Field
		if field == "" {
			return errMalformedJSON
		}
		return input.Invalid(field, "wrong_type")
	default:
		return errMalformedJSON
	}
}

// flatObject reports whether body is, on its face, a flat JSON object: keys
// that are distinct, unescaped and not empty, values that are unescaped strings
// or bare literals, no backslash anywhere — the shape of nearly every request
// on the hot path (an answer save), for which checkJSONShape has nothing to
// find. It only says yes when checkJSONShape would: anything else (nesting,
// escapes, more than 16 keys, odd syntax) returns false and the full check runs.
// It does not validate the JSON; the decoder does that.
func flatObject(body []byte) bool {
	if bytes.IndexByte(body, '\\') >= 0 {
		return false
	}
	i, n := 0, len(body)
	ws := func() {
		for i < n && (body[i] == ' ' || body[i] == '\t' || body[i] == '\n' || body[i] == '\r') {
			i++
		}
	}
	// str reads a string starting at body[i] == '"' (no escapes: the next quote
	// ends it) and returns its contents.
	str := func() ([]byte, bool) {
		end := bytes.IndexByte(body[i+1:], '"')
		if end < 0 {
			return nil, false
		}
		s := body[i+1 : i+1+end]
		i += end + 2
		return s, true
	}
	var keys [16][]byte
	nkeys := 0
	ws()
	if i >= n || body[i] != '{' {
		return false
	}
	i++
	ws()
	if i < n && body[i] == '}' {
		return true
	}
	for {
		if i >= n || body[i] != '"' || nkeys == len(keys) {
			return false
		}
		k, ok := str()
		if !ok || len(k) == 0 {
			return false
		}
		for _, seen := range keys[:nkeys] {
			if bytes.Equal(seen, k) {
				return false
			}
		}
		keys[nkeys] = k
		nkeys++
		ws()
		if i >= n || body[i] != ':' {
			return false
		}
		i++
		ws()
		if i >= n {
			return false
		}
		switch body[i] {
		case '"':
			if _, ok := str(); !ok {
				return false
			}
		case '{', '[':
			return false
		default:
			for i < n && body[i] != ',' && body[i] != '}' && body[i] != ' ' && body[i] != '\n' && body[i] != '\t' && body[i] != '\r' {
				if body[i] == '"' || body[i] == '{' || body[i] == '[' {
					return false
				}
				i++
			}
		}
		ws()
		if i >= n {
			return false
		}
		switch body[i] {
		case ',':
			i++
			ws()
		case '}':
			return true
		default:
			return false
		}
	}
}

// maxJSONDepth bounds how deeply a request body may nest objects and arrays.
const maxJSONDepth = 32

// checkJSONShape refuses a body nested deeper than maxJSONDepth, with a NUL
// character in a string (PostgreSQL text cannot hold one, and no field needs
// one), or with a key repeated in one object (encoding/json would silently keep
// the last one, so two readers of the same body could disagree about what it
// says). Fields are named by their path, e.g. "options[0].text".
func checkJSONShape(body []byte) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	type frame struct {
		path    string
		keys    map[string]bool // nil for an array
		wantKey bool
		lastKey string
		index   int
	}
	var stack []*frame
	// valuePath names the value about to be read in the innermost container,
	// and moves an array on to its next element.
	valuePath := func() string {
		if len(stack) == 0 {
			return "body"
		}
		f := stack[len(stack)-1]
		if f.keys != nil {
			f.wantKey = true
			if f.path == "" {
				return f.lastKey
			}
			return f.path + "." + f.lastKey
		}
		p := fmt.Sprintf("%s[%d]", f.path, f.index)
		f.index++
		return p
	}
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return nil // malformed JSON: the decoder that follows reports it
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if t, ok := tok.(string); ok && top != nil && top.keys != nil && top.wantKey {
			if strings.ContainsRune(t, 0) {
				return input.Invalid("body", "invalid_character")
			}
			if top.keys[t] {
				return input.Invalid(strings.TrimPrefix(top.path+"."+t, "."), "duplicate_key")
			}
			top.keys[t], top.wantKey, top.lastKey = true, false, t
			continue
		}
		if d, ok := tok.(json.Delim); ok && (d == '}' || d == ']') {
			stack = stack[:len(stack)-1]
			continue
		}
		path := valuePath()
		switch t := tok.(type) {
		case json.Delim: // '{' or '['
			if len(stack) >= maxJSONDepth {
				return input.Invalid("body", "too_deep")
			}
			f := &frame{path: path}
			if path == "body" {
				f.path = ""
			}
			if t == '{' {
				f.keys, f.wantKey = map[string]bool{}, true
			}
			stack = append(stack, f)
		case string:
			if strings.ContainsRune(t, 0) {
				return input.Invalid(path, "invalid_character")
			}
		}
	}
}
