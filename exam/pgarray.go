package exam

import (
	"database/sql/driver"
	"strings"
)

// The batches send their inputs as PostgreSQL arrays in text form. lib/pq's
// StringArray grows its buffer element by element; a start batch's arrays of
// draws run to tens of kilobytes, so these encoders measure first and write
// into one buffer of the exact size.

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
	var b strings.Builder
	b.Grow(n)
	b.WriteByte('{')
	for i, s := range a {
		if i > 0 {
			b.WriteByte(',')
		}
		if s == nil {
			b.WriteString("NULL")
			continue
		}
		writeQuoted(&b, *s)
	}
	b.WriteByte('}')
	return b.String(), nil
}

// byteStrings encodes a text[] (or, cast, a jsonb[]) of byte strings, none NULL.
type byteStrings [][]byte

// Value implements driver.Valuer.
func (a byteStrings) Value() (driver.Value, error) {
	n := 2
	for _, s := range a {
		n += quotedLen(s) + 1
	}
	var b strings.Builder
	b.Grow(n)
	b.WriteByte('{')
	for i, s := range a {
		if i > 0 {
			b.WriteByte(',')
		}
		writeQuotedBytes(&b, s)
	}
	b.WriteByte('}')
	return b.String(), nil
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

// writeQuoted writes s as a quoted array element (quotedLen).
func writeQuoted(b *strings.Builder, s string) {
	b.WriteByte('"')
	from := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '"' || s[i] == '\\' {
			b.WriteString(s[from:i])
			b.WriteByte('\\')
			from = i
		}
	}
	b.WriteString(s[from:])
	b.WriteByte('"')
}

// writeQuotedBytes is writeQuoted for a byte string. (One generic function
// would have to write byte by byte or convert each run to a string: 1.6× slower
// on a start batch's arrays, measured.)
func writeQuotedBytes(b *strings.Builder, s []byte) {
	b.WriteByte('"')
	from := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '"' || s[i] == '\\' {
			b.Write(s[from:i])
			b.WriteByte('\\')
			from = i
		}
	}
	b.Write(s[from:])
	b.WriteByte('"')
}
