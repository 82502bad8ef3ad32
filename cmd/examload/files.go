package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
)

// credential is one prepared candidate with a live session: a line of the
// tokens file, "token<TAB>candidate id<TAB>national id".
type credential struct {
	Token, CandidateID, NationalID string
}

func writeTokens(path string, creds []credential) error {
	return writeFileAtomic(path, func(w io.Writer) error {
		bw := bufio.NewWriter(w)
		fmt.Fprintln(bw, "# examload tokens: session token, candidate id, national id (keep private; sessions end after 12 h)")
		for _, c := range creds {
			fmt.Fprintf(bw, "%s\t%s\t%s\n", c.Token, c.CandidateID, c.NationalID)
		}
		return bw.Flush()
	})
}

func readTokens(path string) ([]credential, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var creds []credential
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		parts := strings.Split(line, "\t")
		if parts[0] == "" {
			return nil, fmt.Errorf("%s:%d: no token", path, n)
		}
		c := credential{Token: parts[0]}
		if len(parts) > 1 {
			c.CandidateID = parts[1]
		}
		if len(parts) > 2 {
			c.NationalID = parts[2]
		}
		creds = append(creds, c)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(creds) == 0 {
		return nil, fmt.Errorf("%s holds no tokens", path)
	}
	return creds, nil
}

// attemptRecord is one started attempt as the flood needs it: a line of the
// attempts file (JSON lines).
type attemptRecord struct {
	AttemptID string           `json:"attempt_id"`
	Token     string           `json:"token"`
	Questions []questionRecord `json:"questions"`
}

// questionRecord is a drawn question: its id and the keys of its options.
type questionRecord struct {
	ID      string   `json:"id"`
	Options []string `json:"options"`
}

func writeAttempts(path string, attempts []attemptRecord) error {
	return writeFileAtomic(path, func(w io.Writer) error {
		bw := bufio.NewWriter(w)
		enc := json.NewEncoder(bw)
		for _, a := range attempts {
			if err := enc.Encode(a); err != nil {
				return err
			}
		}
		return bw.Flush()
	})
}

func readAttempts(path string) ([]attemptRecord, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []attemptRecord
	dec := json.NewDecoder(bufio.NewReader(f))
	for n := 1; ; n++ {
		var a attemptRecord
		if err := dec.Decode(&a); err == io.EOF {
			break
		} else if err != nil {
			return nil, fmt.Errorf("%s: record %d: %w", path, n, err)
		}
		if a.AttemptID == "" || a.Token == "" || len(a.Questions) == 0 {
			return nil, fmt.Errorf("%s: record %d: want attempt_id, token and questions", path, n)
		}
		for _, q := range a.Questions {
			if q.ID == "" || len(q.Options) == 0 {
				return nil, fmt.Errorf("%s: record %d: a question without id or options", path, n)
			}
		}
		out = append(out, a)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s holds no attempts", path)
	}
	return out, nil
}
