// Package input checks what clients send: a validator/v10 instance that names
// fields by their JSON names, and the one error type for refused input, which
// carries a reason code per wrong field.
package input

import (
	"errors"
	"reflect"
	"sort"
	"strings"

	"github.com/go-playground/validator/v10"
)

// Error is a refusal of client input with one reason code per wrong field,
// e.g. {"national_id":"checksum","mobile":"invalid"}.
type Error struct {
	Fields map[string]string
}

func (e *Error) Error() string {
	keys := make([]string, 0, len(e.Fields))
	for k := range e.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, k+": "+e.Fields[k])
	}
	return "invalid input: " + strings.Join(parts, ", ")
}

// Add records reason for field unless the field already has one, so the first
// problem found for a field is the one reported.
func (e *Error) Add(field, reason string) {
	if e.Fields == nil {
		e.Fields = map[string]string{}
	}
	if _, ok := e.Fields[field]; !ok {
		e.Fields[field] = reason
	}
}

// Err returns e when it holds at least one field, else nil.
func (e *Error) Err() error {
	if e == nil || len(e.Fields) == 0 {
		return nil
	}
	return e
}

// Invalid returns an *Error for a single field.
func Invalid(field, reason string) *Error {
	return &Error{Fields: map[string]string{field: reason}}
}

// Validator wraps validator/v10 with JSON field names and reason codes per tag.
type Validator struct {
	v       *validator.Validate
	reasons map[string]string
	// explain gives the reason for tags whose failures differ in kind.
	explain map[string]func(value any) string
}

// defaultReasons maps the built-in tags we use to reason codes.
var defaultReasons = map[string]string{
	"required":        "required",
	"required_if":     "required",
	"oneof":           "one_of",
	"min":             "too_short",
	"max":             "too_long",
	"gt":              "too_small",
	"gte":             "too_small",
	"lt":              "too_large",
	"lte":             "too_large",
	"email":           "invalid",
	"uuid":            "invalid",
	"excluded_if":     "not_allowed",
	"excluded_unless": "not_allowed",
	"dive":            "invalid",
	"unique":          "duplicate",
}

// NewValidator returns a Validator that names fields by their json tags.
func NewValidator() *Validator {
	v := validator.New(validator.WithRequiredStructEnabled())
	v.RegisterTagNameFunc(func(f reflect.StructField) string {
		name := strings.SplitN(f.Tag.Get("json"), ",", 2)[0]
		if name == "-" {
			return ""
		}
		if name == "" {
			return f.Name
		}
		return name
	})
	reasons := make(map[string]string, len(defaultReasons))
	for k, r := range defaultReasons {
		reasons[k] = r
	}
	return &Validator{v: v, reasons: reasons, explain: map[string]func(any) string{}}
}

// Register adds a custom tag: fn decides validity and reason is the code reported
// when it fails. It panics on an invalid tag name, a programming error.
func (val *Validator) Register(tag, reason string, fn func(validator.FieldLevel) bool) {
	if err := val.v.RegisterValidation(tag, fn); err != nil {
		panic(err)
	}
	val.reasons[tag] = reason
}

// RegisterExplained adds a custom tag whose check also names the reason: explain
// returns "" for a valid value, else the reason code reported (for example
// "checksum" or "repeated_digits" for one national_id tag). It panics on an
// invalid tag name, a programming error.
func (val *Validator) RegisterExplained(tag string, explain func(value any) string) {
	if err := val.v.RegisterValidation(tag, func(fl validator.FieldLevel) bool {
		return explain(fl.Field().Interface()) == ""
	}); err != nil {
		panic(err)
	}
	val.explain[tag] = explain
}

// Struct validates s and returns an *Error naming every wrong field, or nil.
func (val *Validator) Struct(s any) error {
	err := val.v.Struct(s)
	if err == nil {
		return nil
	}
	var verrs validator.ValidationErrors
	if !errors.As(err, &verrs) {
		return err
	}
	out := &Error{}
	for _, fe := range verrs {
		reason, ok := val.reasons[fe.Tag()]
		if explain, ok2 := val.explain[fe.Tag()]; ok2 {
			reason, ok = explain(fe.Value()), true
		}
		if !ok {
			reason = "invalid"
		}
		out.Add(fieldPath(fe.Namespace()), reason)
	}
	return out
}

// fieldPath drops the struct's own name from a validator namespace:
// "RegisterRequest.sections[0].draw" becomes "sections[0].draw".
func fieldPath(ns string) string {
	if i := strings.IndexByte(ns, '.'); i >= 0 {
		return ns[i+1:]
	}
	return ns
}
