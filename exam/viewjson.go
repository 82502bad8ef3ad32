package exam

import (
	"encoding/json"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"
)

// The candidate's view of an attempt is the largest answer a start storm sends
// (every question's stem and options, in Persian) and the most frequent one
// after the saves. encoding/json builds it by reflection and escapes every
// string on every request, which was a fifth of examd's CPU in a start storm
// (docs/BENCHMARKS.md). The parts that never change — the exam's rules and each
// question with its options — are encoded once per frozen exam; a view is then
// mostly copied together. The bytes are exactly encoding/json's (tested).

// frozenJSON is a frozen exam's parts encoded once.
type frozenJSON struct {
	exam      []byte                   // ExamInfo
	questions map[string]*questionJSON // by question id
}

// questionJSON is one question encoded: head is `{"id":…,"section":…,"stem":…,"options":[`
// and options holds each option's `{"key":…,"text":…}` by key.
type questionJSON struct {
	head    []byte
	options map[string][]byte
}

// encodeFrozen encodes f's unchanging parts (see frozenJSON).
func encodeFrozen(f *frozenExam) (*frozenJSON, error) {
	info, err := json.Marshal(f.info())
	if err != nil {
		return nil, err
	}
	fj := &frozenJSON{exam: info, questions: make(map[string]*questionJSON, len(f.questions))}
	for id, q := range f.questions {
		qj := &questionJSON{options: make(map[string][]byte, len(q.Options))}
		qj.head = append(qj.head, `{"id":`...)
		qj.head = appendJSONString(qj.head, q.ID)
		qj.head = append(qj.head, `,"section":`...)
		qj.head = appendJSONString(qj.head, q.Section)
		qj.head = append(qj.head, `,"stem":`...)
		qj.head = appendJSONString(qj.head, q.Stem)
		qj.head = append(qj.head, `,"options":[`...)
		for _, o := range q.Options {
			qj.options[o.Key] = appendOptionJSON(nil, o)
		}
		fj.questions[id] = qj
	}
	return fj, nil
}

func appendOptionJSON(b []byte, o Option) []byte {
	b = append(b, `{"key":`...)
	b = appendJSONString(b, o.Key)
	b = append(b, `,"text":`...)
	b = appendJSONString(b, o.Text)
	return append(b, '}')
}

// AppendJSON appends v as JSON to b: the same bytes as json.Marshal(v), made
// mostly from the frozen exam's parts encoded once.
func (v *AttemptView) AppendJSON(b []byte) []byte {
	b = append(b, `{"attempt_id":`...)
	b = appendJSONString(b, v.AttemptID)
	b = append(b, `,"state":`...)
	b = appendJSONString(b, v.State)
	b = append(b, `,"server_now":`...)
	b = appendJSONTime(b, v.ServerNow)
	b = append(b, `,"started_at":`...)
	b = appendJSONTime(b, v.StartedAt)
	b = append(b, `,"deadline_at":`...)
	b = appendJSONTime(b, v.DeadlineAt)
	b = append(b, `,"remaining_ms":`...)
	b = strconv.AppendInt(b, v.RemainingMS, 10)
	b = append(b, `,"grace_seconds":`...)
	b = strconv.AppendInt(b, int64(v.GraceSeconds), 10)
	b = append(b, `,"extra_seconds":`...)
	b = strconv.AppendInt(b, int64(v.ExtraSeconds), 10)
	b = append(b, `,"exam":`...)
	var fj *frozenJSON
	if v.frozen != nil {
		fj = v.frozen.json
	}
	if fj != nil && v.Exam.ID == v.frozen.exam.ID {
		b = append(b, fj.exam...)
	} else {
		b = appendMarshal(b, v.Exam)
	}
	b = append(b, `,"questions":`...)
	if v.Questions == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i := range v.Questions {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendShownQuestion(b, fj, &v.Questions[i])
		}
		b = append(b, ']')
	}
	b = append(b, `,"answers":`...)
	if v.Answers == nil {
		b = append(b, "null"...)
	} else {
		keys := make([]string, 0, len(v.Answers))
		for k := range v.Answers {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		b = append(b, '{')
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			a := v.Answers[k]
			b = appendJSONString(b, k)
			b = append(b, `:{"choice":`...)
			if a.Choice == nil {
				b = append(b, "null"...)
			} else {
				b = appendJSONString(b, *a.Choice)
			}
			b = append(b, `,"flagged":`...)
			b = strconv.AppendBool(b, a.Flagged)
			b = append(b, `,"seq":`...)
			b = strconv.AppendInt(b, a.Seq, 10)
			b = append(b, '}')
		}
		b = append(b, '}')
	}
	if v.FinishReason != nil {
		b = append(b, `,"finish_reason":`...)
		b = appendJSONString(b, *v.FinishReason)
	}
	if v.SubmittedAt != nil {
		b = append(b, `,"submitted_at":`...)
		b = appendJSONTime(b, *v.SubmittedAt)
	}
	if v.Receipt != nil {
		b = append(b, `,"receipt":`...)
		b = appendJSONString(b, *v.Receipt)
	}
	return append(b, '}')
}

// appendShownQuestion appends q, from fj's parts when q is the frozen question
// with its options unchanged (as a view shows it), else encoded here.
func appendShownQuestion(b []byte, fj *frozenJSON, q *ShownQuestion) []byte {
	if fj != nil {
		if qj, ok := fj.questions[q.ID]; ok && q.Options != nil {
			mark := len(b)
			b = append(b, qj.head...)
			whole := true
			for i, o := range q.Options {
				part, ok := qj.options[o.Key]
				if !ok {
					whole = false
					break
				}
				if i > 0 {
					b = append(b, ',')
				}
				b = append(b, part...)
			}
			if whole {
				return append(b, "]}"...)
			}
			b = b[:mark]
		}
	}
	return appendMarshal(b, q)
}

// appendMarshal appends json.Marshal(x); x is one of this package's own view
// types, which always encode.
func appendMarshal(b []byte, x any) []byte {
	j, err := json.Marshal(x)
	if err != nil {
		panic("exam: encode view: " + err.Error())
	}
	return append(b, j...)
}

// AppendJSON appends s as JSON to b: the same bytes as json.Marshal(s).
func (s *Saved) AppendJSON(b []byte) []byte {
	b = append(b, `{"saved_at":`...)
	b = appendJSONTime(b, s.SavedAt)
	b = append(b, `,"server_now":`...)
	b = appendJSONTime(b, s.ServerNow)
	b = append(b, `,"deadline_at":`...)
	b = appendJSONTime(b, s.DeadlineAt)
	b = append(b, `,"remaining_ms":`...)
	b = strconv.AppendInt(b, s.RemainingMS, 10)
	return append(b, '}')
}

// appendJSONTime appends t as time.Time's MarshalJSON does (RFC 3339 with
// nanoseconds as needed).
func appendJSONTime(b []byte, t time.Time) []byte {
	b = append(b, '"')
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b, '"')
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s quoted as encoding/json quotes it (with its HTML
// escaping): ", \ and control characters escaped, <, > and & as \u003c, \u003e,
// \u0026, U+2028 and U+2029 escaped, and invalid UTF-8 as \ufffd.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
