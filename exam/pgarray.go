package exam

import "database/sql/driver"

// The batches send their inputs as arrays. lib/pq's StringArray grows its buffer
// element by element; a start batch's draws run to a hundred kilobytes, so these
// encoders measure first and write into one buffer of the exact size. They
// return []byte: lib/pq passes a []byte parameter of a type other than bytea
// to the server as it is, where a string is copied.

// nullableStrings encodes a text[] in which nil pointers are NULL.
type nullableStrings []*string

// Value implements driver.Valuer.
func (a nullableStrings) Value() (driver.Value, error) {
	n := 2 // {}, and a comma before every element but the first
	for _, s := range a {
		if s == nil {
			n += len("NULL,")
		} else {
			n += quotedLen(*s) + 1
		}
	}
	if len(a) > 0 {
		n--
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

// jsonList encodes JSON documents, each valid on its own, as one JSON array:
// a jsonb parameter that jsonb_array_elements takes apart again. Unlike a
// jsonb[], nothing in it is escaped, and PostgreSQL parses it once.
type jsonList [][]byte

// Value implements driver.Valuer.
func (a jsonList) Value() (driver.Value, error) {
	n := 2 // [], and a comma before every document but the first
	for _, d := range a {
		n += len(d) + 1
	}
	if len(a) > 0 {
		n--
	}
	b := make([]byte, 1, n)
	b[0] = '['
	for i, d := range a {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, d...)
	}
	return append(b, ']'), nil
}

// quotedLen is the length of s as a quoted array element: in double quotes,
// with a backslash before each double quote and backslash.
func quotedLen(s string) int {
	n := len(s) + 2
	for i := 0; i < len(s); i++ {
		if s[i] == '"' || s[i] == '\\' {
			n++
		}
	}
	return n
}

// appendQuoted appends s as a quoted array element (quotedLen).
func appendQuoted(b []byte, s string) []byte {
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
