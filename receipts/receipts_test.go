package receipts_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/council-exam/examd/database/dbtest"
	"github.com/council-exam/examd/receipts"
)

func mustKey(tb testing.TB) (ed25519.PublicKey, ed25519.PrivateKey) {
	tb.Helper()
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		tb.Fatal(err)
	}
	return pub, priv
}

var payload = receipts.Payload{
	AttemptID:     "0b6f4a52-3d0c-4f3e-9d55-6f0b8d1a2c3e",
	ExamID:        "5d2f0a61-7c1e-4a8e-b0c2-1f1f1f1f1f1f",
	NationalID:    "0499370899",
	FinishReason:  "submitted",
	SubmittedAt:   time.Date(2021, 6, 18, 9, 30, 15, 123456000, time.FixedZone("IRDT", 4*3600+1800)),
	AnswersSHA256: strings.Repeat("ab", 32),
}

func mustSign(tb testing.TB, priv ed25519.PrivateKey, p receipts.Payload) string {
	tb.Helper()
	r, err := receipts.NewSigner(priv).Sign(p)
	if err != nil {
		tb.Fatalf("Sign: %v", err)
	}
	return r
}

func TestSignVerify(t *testing.T) {
	t.Parallel()
	pub, priv := mustKey(t)
	s := receipts.NewSigner(priv)
	if !bytes.Equal(s.PublicKey(), pub) {
		t.Fatalf("PublicKey = %x, want %x", s.PublicKey(), pub)
	}
	r := mustSign(t, priv, payload)
	if strings.Count(r, ".") != 1 {
		t.Fatalf("receipt %q is not body.signature", r)
	}
	got, err := receipts.Verify(pub, r)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	want := payload
	want.Version = 1
	want.SubmittedAt = payload.SubmittedAt.UTC()
	if got != want {
		t.Fatalf("Verify = %+v\nwant %+v", got, want)
	}
	if got.SubmittedAt.Location() != time.UTC {
		t.Fatalf("submitted_at is in %v, want UTC", got.SubmittedAt.Location())
	}
	// Surrounding white space, as from a pasted receipt, is fine.
	if _, err := receipts.Verify(pub, "  "+r+"\n"); err != nil {
		t.Fatalf("Verify(with white space): %v", err)
	}
	// The body is the JSON payload, readable without the key.
	body, err := base64.RawURLEncoding.DecodeString(r[:strings.IndexByte(r, '.')])
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"v":1,"attempt_id":"0b6f4a52-3d0c-4f3e-9d55-6f0b8d1a2c3e","exam_id":"5d2f0a61-7c1e-4a8e-b0c2-1f1f1f1f1f1f","national_id":"0499370899","finish_reason":"submitted","submitted_at":"2021-06-18T05:00:15.123456Z","answers_sha256":"` + strings.Repeat("ab", 32) + `"}`; string(body) != want {
		t.Fatalf("body = %s\nwant   %s", body, want)
	}
}

func TestVerifyRejectsEveryChangedCharacter(t *testing.T) {
	t.Parallel()
	pub, priv := mustKey(t)
	r := mustSign(t, priv, payload)
	for i := 0; i < len(r); i++ {
		for _, c := range []byte{'A', 'B', 'x', '-', '_', '0', '.', '=', '+', '/', ' '} {
			if r[i] == c {
				continue
			}
			bad := r[:i] + string(c) + r[i+1:]
			if p, err := receipts.Verify(pub, bad); !errors.Is(err, receipts.ErrInvalid) {
				t.Fatalf("receipt with position %d changed to %q: Verify = %+v, %v; want ErrInvalid", i, c, p, err)
			}
		}
	}
}

func TestVerifyRejectsEveryChangedByte(t *testing.T) {
	t.Parallel()
	pub, priv := mustKey(t)
	r := mustSign(t, priv, payload)
	body64, sig64, _ := strings.Cut(r, ".")
	enc := base64.RawURLEncoding
	body, _ := enc.DecodeString(body64)
	sig, _ := enc.DecodeString(sig64)
	for i := range body {
		for _, bit := range []byte{0x01, 0x80} {
			b := bytes.Clone(body)
			b[i] ^= bit
			if _, err := receipts.Verify(pub, enc.EncodeToString(b)+"."+sig64); !errors.Is(err, receipts.ErrInvalid) {
				t.Fatalf("payload byte %d flipped (%q): err = %v, want ErrInvalid", i, b, err)
			}
		}
	}
	for i := range sig {
		for _, bit := range []byte{0x01, 0x80} {
			s := bytes.Clone(sig)
			s[i] ^= bit
			if _, err := receipts.Verify(pub, body64+"."+enc.EncodeToString(s)); !errors.Is(err, receipts.ErrInvalid) {
				t.Fatalf("signature byte %d flipped: err = %v, want ErrInvalid", i, err)
			}
		}
	}
	// Cut or extended receipts are refused too.
	for _, bad := range []string{r[:len(r)-1], r + "A", r + ".", body64 + "." + enc.EncodeToString(sig[:63]), body64 + "." + enc.EncodeToString(append(bytes.Clone(sig), 0))} {
		if _, err := receipts.Verify(pub, bad); !errors.Is(err, receipts.ErrInvalid) {
			t.Fatalf("Verify(%q) err = %v, want ErrInvalid", bad, err)
		}
	}
}

func TestVerifyRejectsOtherKeysAndGarbage(t *testing.T) {
	t.Parallel()
	pub, priv := mustKey(t)
	otherPub, otherPriv := mustKey(t)
	r := mustSign(t, priv, payload)
	if _, err := receipts.Verify(otherPub, r); !errors.Is(err, receipts.ErrInvalid) {
		t.Fatalf("Verify with another public key: err = %v, want ErrInvalid", err)
	}
	forged := mustSign(t, otherPriv, payload)
	if _, err := receipts.Verify(pub, forged); !errors.Is(err, receipts.ErrInvalid) {
		t.Fatalf("Verify of a receipt signed with another key: err = %v, want ErrInvalid", err)
	}
	// Another key's signature on this body.
	body64, _, _ := strings.Cut(r, ".")
	_, otherSig, _ := strings.Cut(forged, ".")
	if _, err := receipts.Verify(pub, body64+"."+otherSig); !errors.Is(err, receipts.ErrInvalid) {
		t.Fatalf("Verify with a spliced signature: err = %v, want ErrInvalid", err)
	}
	for _, bad := range []string{"", " ", ".", "..", "no dot at all", "a.b", r[:strings.IndexByte(r, '.')], "." + r, "é.é", "%%%.%%%"} {
		if _, err := receipts.Verify(pub, bad); !errors.Is(err, receipts.ErrInvalid) {
			t.Fatalf("Verify(%q): err = %v, want ErrInvalid", bad, err)
		}
	}
	for _, key := range [][]byte{nil, pub[:31], append(bytes.Clone(pub), 0)} {
		if _, err := receipts.Verify(key, r); !errors.Is(err, receipts.ErrInvalid) {
			t.Fatalf("Verify with a %d-byte key: err = %v, want ErrInvalid", len(key), err)
		}
	}
}

// TestVerifyRejectsSignedOddBodies: a correct signature is not enough; the body
// must be a version 1 payload and nothing else.
func TestVerifyRejectsSignedOddBodies(t *testing.T) {
	t.Parallel()
	pub, priv := mustKey(t)
	enc := base64.RawURLEncoding
	good, err := json.Marshal(map[string]any{"v": 1, "attempt_id": "x"})
	if err != nil {
		t.Fatal(err)
	}
	sign := func(body string) string {
		return enc.EncodeToString([]byte(body)) + "." + enc.EncodeToString(ed25519.Sign(priv, []byte(body)))
	}
	if _, err := receipts.Verify(pub, sign(string(good))); err != nil {
		t.Fatalf("Verify(hand-signed v1 body): %v", err)
	}
	for _, body := range []string{`{"v":2,"attempt_id":"x"}`, `{"attempt_id":"x"}`, `{"v":1,"extra":true}`, `[1]`, `not json`, ``} {
		if _, err := receipts.Verify(pub, sign(body)); !errors.Is(err, receipts.ErrInvalid) {
			t.Fatalf("Verify(signed %q): err = %v, want ErrInvalid", body, err)
		}
	}
}

func TestParseKeys(t *testing.T) {
	t.Parallel()
	pub, priv := mustKey(t)
	seed := priv.Seed()
	for _, tc := range []struct {
		name string
		text string
	}{
		{"seed, standard base64", base64.StdEncoding.EncodeToString(seed)},
		{"seed, raw URL base64", base64.RawURLEncoding.EncodeToString(seed)},
		{"seed with a newline", base64.StdEncoding.EncodeToString(seed) + "\n"},
		{"64-byte key, standard base64", base64.StdEncoding.EncodeToString(priv)},
		{"64-byte key, URL base64", base64.URLEncoding.EncodeToString(priv)},
	} {
		got, err := receipts.ParsePrivateKey(tc.text)
		if err != nil {
			t.Fatalf("%s: ParsePrivateKey: %v", tc.name, err)
		}
		if !bytes.Equal(got, priv) {
			t.Fatalf("%s: ParsePrivateKey = %x, want %x", tc.name, got, priv)
		}
	}
	for _, n := range []int{0, 1, 16, 31, 33, 48, 63, 65, 96} {
		text := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, n))
		if _, err := receipts.ParsePrivateKey(text); err == nil {
			t.Fatalf("ParsePrivateKey accepted a %d-byte key", n)
		}
	}
	if _, err := receipts.ParsePrivateKey("not base64!"); err == nil {
		t.Fatalf("ParsePrivateKey accepted non-base64")
	}
	// A 64-byte key whose public half does not belong to its seed would sign
	// receipts that no published key verifies.
	mismatched := bytes.Clone(priv)
	mismatched[40] ^= 1
	if _, err := receipts.ParsePrivateKey(base64.StdEncoding.EncodeToString(mismatched)); err == nil {
		t.Fatalf("ParsePrivateKey accepted a 64-byte key whose public half is not its seed's")
	}

	for _, text := range []string{base64.StdEncoding.EncodeToString(pub), base64.RawURLEncoding.EncodeToString(pub), " " + base64.StdEncoding.EncodeToString(pub) + "\n"} {
		got, err := receipts.ParsePublicKey(text)
		if err != nil || !bytes.Equal(got, pub) {
			t.Fatalf("ParsePublicKey(%q) = %x, %v; want %x", text, got, err, pub)
		}
	}
	for _, text := range []string{"", "nope!", base64.StdEncoding.EncodeToString(pub[:31]), base64.StdEncoding.EncodeToString(priv)} {
		if _, err := receipts.ParsePublicKey(text); err == nil {
			t.Fatalf("ParsePublicKey(%q) accepted", text)
		}
	}
}

func TestLoadKey(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	ctx := context.Background()

	// Kept in the database: generated once, by whichever caller comes first.
	const callers = 8
	var (
		wg   sync.WaitGroup
		keys [callers]ed25519.PrivateKey
		errs [callers]error
		gate = make(chan struct{})
	)
	for i := 0; i < callers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-gate
			keys[i], errs[i] = receipts.LoadKey(ctx, db, "", "")
		}()
	}
	close(gate)
	wg.Wait()
	for i := 0; i < callers; i++ {
		if errs[i] != nil {
			t.Fatalf("LoadKey %d: %v", i, errs[i])
		}
		if !bytes.Equal(keys[i], keys[0]) {
			t.Fatalf("concurrent LoadKey calls returned different keys")
		}
	}
	if len(keys[0]) != ed25519.PrivateKeySize {
		t.Fatalf("LoadKey returned %d bytes", len(keys[0]))
	}
	again, err := receipts.LoadKey(ctx, db, "", "")
	if err != nil || !bytes.Equal(again, keys[0]) {
		t.Fatalf("second LoadKey = %x, %v; want the kept key", again, err)
	}
	var n int
	if err := db.Get(&n, `SELECT count(*) FROM signing_keys WHERE name = 'receipts'`); err != nil || n != 1 {
		t.Fatalf("signing_keys rows = %d, %v; want 1", n, err)
	}
	// What one instance signs, another verifies.
	r := mustSign(t, keys[0], payload)
	if _, err := receipts.Verify(again.Public().(ed25519.PublicKey), r); err != nil {
		t.Fatalf("Verify with the reloaded key: %v", err)
	}

	// Configuration wins over the kept key: the environment first, then a file.
	_, envKey := mustKey(t)
	_, fileKey := mustKey(t)
	file := filepath.Join(t.TempDir(), "receipt.key")
	if err := os.WriteFile(file, []byte(base64.StdEncoding.EncodeToString(fileKey.Seed())+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if got, err := receipts.LoadKey(ctx, db, base64.StdEncoding.EncodeToString(envKey.Seed()), file); err != nil || !bytes.Equal(got, envKey) {
		t.Fatalf("LoadKey(env, file) = %v; want the environment's key", err)
	}
	if got, err := receipts.LoadKey(ctx, db, "", file); err != nil || !bytes.Equal(got, fileKey) {
		t.Fatalf("LoadKey(file) = %v; want the file's key", err)
	}
	if _, err := receipts.LoadKey(ctx, db, "", filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Fatalf("LoadKey(missing file) succeeded")
	}
	if _, err := receipts.LoadKey(ctx, db, "c2hvcnQ=", ""); err == nil {
		t.Fatalf("LoadKey(short env key) succeeded")
	}
}
