package handlers

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/council-exam/examd/input"
)

// decodeJSON reads the request body as one JSON value into dst. It refuses a
// content type other than application/json (415), a body over the cap (413),
// malformed JSON or trailing data (400 malformed_json). Values of the wrong type
// come back as one *input.Error naming every such field ("wrong_type"), with the
// other fields of dst filled in, so a caller can still check them.
func decodeJSON(c *gin.Context, dst any) error {
	mt, _, err := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if err != nil || mt != "application/json" {
		return errMediaType
	}
	body, err := io.ReadAll(c.Request.Body)
	if err != nil {
		return jsonError(err)
	}
	if err := checkJSONShape(body); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(dst); err != nil {
		var ute *json.UnmarshalTypeError
		if errors.As(err, &ute) {
			if all := fieldTypeErrors(body, dst); all != nil {
				return all
			}
		}
		return jsonError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errMalformedJSON
	}
	return nil
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

// maxJSONDepth bounds how deeply a request body may nest objects and arrays.
const maxJSONDepth = 32

// checkJSONShape refuses a body nested deeper than maxJSONDepth or with a key
// repeated in one object (encoding/json would silently keep the last one, so two
// readers of the same body could disagree about what it says).
func checkJSONShape(body []byte) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	type frame struct {
		keys    map[string]bool
		wantKey bool
	}
	var stack []*frame
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return nil // malformed JSON: the decoder that follows reports it
		}
		top := (*frame)(nil)
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{', '[':
				if len(stack) >= maxJSONDepth {
					return input.Invalid("body", "too_deep")
				}
				if top != nil && top.keys != nil {
					top.wantKey = true
				}
				f := &frame{}
				if t == '{' {
					f.keys, f.wantKey = map[string]bool{}, true
				}
				stack = append(stack, f)
				continue
			case '}', ']':
				stack = stack[:len(stack)-1]
				if len(stack) > 0 && stack[len(stack)-1].keys != nil {
					stack[len(stack)-1].wantKey = true
				}
				continue
			}
		case string:
			if top != nil && top.keys != nil && top.wantKey {
				if top.keys[t] {
					return input.Invalid(t, "duplicate_key")
				}
				top.keys[t] = true
				top.wantKey = false
				continue
			}
		}
		if top != nil && top.keys != nil {
			top.wantKey = true
		}
	}
}
