package input_test

import (
	"errors"
	"maps"
	"testing"

	"github.com/go-playground/validator/v10"

	"github.com/council-exam/examd/input"
)

func TestErrorAdd(t *testing.T) {
	var e input.Error
	if err := e.Err(); err != nil {
		t.Fatalf("empty Error.Err() = %v, want nil", err)
	}
	var nilErr *input.Error
	if err := nilErr.Err(); err != nil {
		t.Fatalf("nil *Error.Err() = %v, want nil", err)
	}
	e.Add("mobile", "invalid")
	e.Add("national_id", "checksum")
	e.Add("mobile", "required") // the first problem found for a field stays
	if got, want := e.Fields, map[string]string{"mobile": "invalid", "national_id": "checksum"}; !maps.Equal(got, want) {
		t.Fatalf("Fields = %v, want %v", got, want)
	}
	err := e.Err()
	if err == nil {
		t.Fatalf("Err() = nil with two fields")
	}
	var ie *input.Error
	if !errors.As(err, &ie) || ie != &e {
		t.Fatalf("Err() = %#v, want the *Error itself", err)
	}
	// Sorted by field, so the message is stable.
	if got, want := err.Error(), "invalid input: mobile: invalid, national_id: checksum"; got != want {
		t.Fatalf("Error() = %q, want %q", got, want)
	}
}

func TestInvalid(t *testing.T) {
	e := input.Invalid("constituency_id", "wrong_type")
	if got, want := e.Fields, map[string]string{"constituency_id": "wrong_type"}; !maps.Equal(got, want) {
		t.Fatalf("Fields = %v, want %v", got, want)
	}
	if got, want := e.Error(), "invalid input: constituency_id: wrong_type"; got != want {
		t.Fatalf("Error() = %q, want %q", got, want)
	}
}

type section struct {
	Key  string `json:"key" validate:"required"`
	Draw int    `json:"draw" validate:"gte=1"`
}

type form struct {
	Name     string    `json:"name" validate:"required,max=5"`
	Nick     string    `json:"nick,omitempty" validate:"omitempty,min=3"`
	Kind     string    `json:"kind" validate:"oneof=a b"`
	Count    int       `json:"count" validate:"gt=0,lt=10"`
	Email    string    `json:"email" validate:"omitempty,email"`
	Code     string    `json:"code" validate:"even_length"`
	Untagged string    `validate:"required"`
	Sections []section `json:"sections" validate:"dive"`
}

func newValidator() *input.Validator {
	v := input.NewValidator()
	v.Register("even_length", "odd", func(fl validator.FieldLevel) bool { return len(fl.Field().String())%2 == 0 })
	return v
}

func TestValidatorStruct(t *testing.T) {
	v := newValidator()
	good := form{Name: "ab", Kind: "a", Count: 3, Code: "xy", Untagged: "u", Sections: []section{{"k", 1}}}
	if err := v.Struct(good); err != nil {
		t.Fatalf("Struct(valid) = %v", err)
	}
	tests := []struct {
		name string
		edit func(f *form)
		want map[string]string
	}{
		{"required", func(f *form) { f.Name = "" }, map[string]string{"name": "required"}},
		{"max", func(f *form) { f.Name = "abcdef" }, map[string]string{"name": "too_long"}},
		{"min", func(f *form) { f.Nick = "ab" }, map[string]string{"nick": "too_short"}},
		{"oneof", func(f *form) { f.Kind = "c" }, map[string]string{"kind": "one_of"}},
		{"gt", func(f *form) { f.Count = 0 }, map[string]string{"count": "too_small"}},
		{"lt", func(f *form) { f.Count = 10 }, map[string]string{"count": "too_large"}},
		{"email", func(f *form) { f.Email = "nope" }, map[string]string{"email": "invalid"}},
		{"custom tag", func(f *form) { f.Code = "xyz" }, map[string]string{"code": "odd"}},
		{"no json tag: Go name", func(f *form) { f.Untagged = "" }, map[string]string{"Untagged": "required"}},
		{"nested, by JSON path", func(f *form) { f.Sections = []section{{"k", 1}, {"", 0}} },
			map[string]string{"sections[1].key": "required", "sections[1].draw": "too_small"}},
		{"every field at once", func(f *form) { *f = form{Nick: "a", Kind: "z", Count: 99, Email: "x", Code: "1"} },
			map[string]string{"name": "required", "nick": "too_short", "kind": "one_of", "count": "too_large",
				"email": "invalid", "code": "odd", "Untagged": "required"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := good
			f.Sections = append([]section(nil), good.Sections...)
			tt.edit(&f)
			err := v.Struct(f)
			var ie *input.Error
			if !errors.As(err, &ie) {
				t.Fatalf("Struct = %v (%T), want *input.Error", err, err)
			}
			if got, want := ie.Fields, tt.want; !maps.Equal(got, want) {
				t.Fatalf("fields = %v, want %v", got, want)
			}
		})
	}
}

func TestValidatorNotAStruct(t *testing.T) {
	err := newValidator().Struct("a string")
	if err == nil {
		t.Fatalf("Struct(string) = nil, want an error")
	}
	var ie *input.Error
	if errors.As(err, &ie) {
		t.Fatalf("Struct(string) = %v, an *input.Error; want validator's own error", err)
	}
}

func TestRegisterBadTagPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatalf("Register with an empty tag did not panic")
		}
	}()
	input.NewValidator().Register("", "x", func(validator.FieldLevel) bool { return true })
}
