package handlers

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/council-exam/examd/input"
)

// decodeJSON reads the request body as one JSON value into dst. It refuses a
// content type other than application/json (415), a body over the cap (413),
// malformed JSON or trailing data (400 malformed_json) and a value of the wrong
// type for a field (400 validation_failed naming the field).
func decodeJSON(c *gin.Context, dst any) error {
	mt, _, err := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if err != nil || mt != "application/json" {
		return errMediaType
	}
	dec := json.NewDecoder(c.Request.Body)
	if err := dec.Decode(dst); err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return errBodyTooLarge
		}
		return errMalformedJSON
	}
	return nil
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
