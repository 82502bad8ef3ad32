package receipts_test

import (
	"crypto/ed25519"
	"strings"
	"testing"
	"time"

	"github.com/council-exam/examd/receipts"
)

// fuzzKey is a fixed key, so that the fuzz targets' seeds are the same receipts
// in every run (Ed25519 signatures are deterministic).
var fuzzKey = ed25519.NewKeyFromSeed([]byte("examd receipts fuzz key 32 bytes"))

// fuzzReceipts signs the receipts the fuzz targets know: every other string is
// a forgery.
func fuzzReceipts(tb testing.TB) []string {
	tb.Helper()
	s := receipts.NewSigner(fuzzKey)
	var out []string
	for _, p := range []receipts.Payload{
		payload,
		{AttemptID: "7e0b5b1e-3f5c-4c1a-9a8e-6b9f3c1d2e4f", ExamID: "0f6a2b1c-9d8e-4c7b-8a69-5e4d3c2b1a00", NationalID: "0013542419",
			FinishReason: "timeout", SubmittedAt: time.Date(2030, 1, 1, 8, 20, 0, 0, time.UTC), AnswersSHA256: strings.Repeat("0", 64)},
		{}, // an empty payload is still signed as it is
	} {
		r, err := s.Sign(p)
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

// FuzzVerify: Verify never panics, and only a receipt the key signed (give or
// take surrounding white space) verifies, with the payload that was signed.
func FuzzVerify(f *testing.F) {
	known := fuzzReceipts(f)
	for _, r := range known {
		body, sig, _ := strings.Cut(r, ".")
		for _, s := range []string{r, " " + r + "\n", r + ".", r + "=", body, body + ".", "." + sig, body + "." + body, sig + "." + body,
			body + "==." + sig, strings.ToUpper(r), strings.Replace(r, "-", "+", -1), strings.Replace(r, "_", "/", -1),
			body + ".\n" + sig, body + "." + sig[:len(sig)-1], body[:len(body)-1] + "." + sig} {
			f.Add(s)
		}
	}
	for _, s := range []string{"", ".", "..", "e30.", ".AA", "e30.AAAA", "\x00.\x00", "\xff.\xff", strings.Repeat("A", 100000) + ".A"} {
		f.Add(s)
	}
	pub := fuzzKey.Public().(ed25519.PublicKey)
	f.Fuzz(func(t *testing.T, r string) {
		p, err := receipts.Verify(pub, r)
		genuine := -1
		for i, k := range known {
			if strings.TrimSpace(r) == k {
				genuine = i
			}
		}
		if err != nil {
			if genuine >= 0 {
				t.Fatalf("the signed receipt %q does not verify: %v", r, err)
			}
			if p != (receipts.Payload{}) {
				t.Fatalf("a refused receipt came with a payload: %+v", p)
			}
			return
		}
		if genuine < 0 {
			t.Fatalf("a receipt the key never signed verifies: %q → %+v", r, p)
		}
		if again, err := receipts.Verify(pub, known[genuine]); err != nil || again != p {
			t.Fatalf("payload %+v, want %+v (%v)", p, again, err)
		}
	})
}

// FuzzVerifyOneByteChanged: a signed receipt with any one byte replaced by any
// other does not verify. The seeds change every position, so plain go test
// already tries each.
func FuzzVerifyOneByteChanged(f *testing.F) {
	known := fuzzReceipts(f)
	r := known[0]
	for i := range len(r) {
		for _, b := range []byte{'A', '_', '.', ' ', '\n', '='} {
			f.Add(uint(i), b)
		}
		f.Add(uint(i), r[i]^0x20) // the other case of a letter
		f.Add(uint(i), r[i]+1)
	}
	pub := fuzzKey.Public().(ed25519.PublicKey)
	f.Fuzz(func(t *testing.T, pos uint, b byte) {
		for _, k := range known {
			i := int(pos % uint(len(k)))
			if k[i] == b {
				continue
			}
			changed := k[:i] + string([]byte{b}) + k[i+1:]
			if p, err := receipts.Verify(pub, changed); err == nil {
				t.Fatalf("byte %d of %q changed to %q still verifies: %+v", i, k, b, p)
			}
		}
	})
}
