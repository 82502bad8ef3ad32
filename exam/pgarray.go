package exam

import "database/sql/driver"

// The batches send their inputs as PostgreSQL arrays in text form. lib/pq's
// StringArray grows its buffer element by element; a start batch's arrays of
// draws run to tens of kilobytes, so these encoders measure first and write
// into one buffer of the exact size.

// The encodings are returned as []byte: lib/pq passes a []byte parameter of a
// type other than bytea to the server as it is, where a string is copied.

// nullableStrings encodes a text[] in which nil pointers are NULL.
type nullableStrings []*string

// Value implements driver.Valuer.
func (a nullableStrings) Value() (driver.Value, error) {
	n := 2
	for _, s := range a {
		if s == nil {
			n += len("NULL,")
		} else {
			n += quotedLen(*s) + 1
		}
	}
	b := make([]byte, 1, n)
	b[0] = '{'
	for i, s := range a {
		if i > 0 {
			b = append(b, ',')
		}
		if s == nil {
			b = append(b, "NULL"...)
			continue
		}
		b = appendQuoted(b, *s)
	}
	return append(b, '}'), nil
}

// byteStrings encodes a text[] (or, cast, a jsonb[]) of byte strings, none NULL.
type byteStrings [][]byte

// Value implements driver.Valuer.
func (a byteStrings) Value() (driver.Value, error) {
	n := 2
	for _, s := range a {
		n += quotedLen(s) + 1
	}
	b := make([]byte, 1, n)
	b[0] = '{'
	for i, s := range a {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendQuoted(b, s)
	}
	return append(b, '}'), nil
}

// quotedLen is the length of s as a quoted array element: in double quotes,
// with a backslash before each double quote and backslash.
func quotedLen[T ~string | ~[]byte](s T) int {
	n := len(s) + 2
	for i := 0; i < len(s); i++ {
		if s[i] == '"' || s[i] == '\\' {
			n++
		}
	}
	return n
}

// appendQuoted appends s as a quoted array element (quotedLen).
func appendQuoted[T ~string | ~[]byte](b []byte, s T) []byte {
	b = append(b, '"')
	from := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '"' || s[i] == '\\' {
			b = append(b, s[from:i]...)
			b = append(b, '\\')
			from = i
		}
	}
	b = append(b, s[from:]...)
	return append(b, '"')
}
