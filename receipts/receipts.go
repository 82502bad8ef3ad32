// Package receipts signs and verifies the receipts candidates get when an attempt
// finishes: an Ed25519 signature over what was handed in, checkable offline with
// the public key alone.
package receipts

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// ErrInvalid is returned by Verify for a receipt that is malformed or whose
// signature does not match.
var ErrInvalid = errors.New("receipts: invalid receipt")

// Payload is what a receipt attests.
type Payload struct {
	Version       int       `json:"v"`
	AttemptID     string    `json:"attempt_id"`
	ExamID        string    `json:"exam_id"`
	NationalID    string    `json:"national_id"`
	FinishReason  string    `json:"finish_reason"`
	SubmittedAt   time.Time `json:"submitted_at"`
	AnswersSHA256 string    `json:"answers_sha256"`
}

var b64 = base64.RawURLEncoding

// Signer signs receipts with one Ed25519 key.
type Signer struct {
	key ed25519.PrivateKey
}

// NewSigner returns a signer for key.
func NewSigner(key ed25519.PrivateKey) *Signer { return &Signer{key: key} }

// PublicKey returns the key that verifies this signer's receipts.
func (s *Signer) PublicKey() ed25519.PublicKey { return s.key.Public().(ed25519.PublicKey) }

// Sign returns the receipt for p: base64url(JSON payload) "." base64url(signature).
func (s *Signer) Sign(p Payload) (string, error) {
	p.Version = 1
	p.SubmittedAt = p.SubmittedAt.UTC()
	body, err := json.Marshal(p)
	if err != nil {
		return "", fmt.Errorf("receipts: sign: %w", err)
	}
	sig := ed25519.Sign(s.key, body)
	return b64.EncodeToString(body) + "." + b64.EncodeToString(sig), nil
}

// Verify checks receipt against pub and returns its payload. It returns
// ErrInvalid for anything but an intact receipt signed by pub's key; white space
// around it is ignored, inside it is not.
func Verify(pub ed25519.PublicKey, receipt string) (Payload, error) {
	var p Payload
	receipt = strings.TrimSpace(receipt)
	// encoding/base64 skips CR and LF anywhere, so without this check one signed
	// receipt would have countless spellings that all verify.
	if strings.ContainsAny(receipt, "\r\n") {
		return p, ErrInvalid
	}
	body64, sig64, ok := strings.Cut(receipt, ".")
	if !ok || len(pub) != ed25519.PublicKeySize {
		return p, ErrInvalid
	}
	body, err := b64.Strict().DecodeString(body64)
	if err != nil {
		return p, ErrInvalid
	}
	sig, err := b64.Strict().DecodeString(sig64)
	if err != nil || len(sig) != ed25519.SignatureSize {
		return p, ErrInvalid
	}
	if !ed25519.Verify(pub, body, sig) {
		return p, ErrInvalid
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil || p.Version != 1 {
		return Payload{}, ErrInvalid
	}
	return p, nil
}

// ParsePrivateKey reads a private key given as base64 (standard or URL alphabet)
// of either the 32-byte seed or the 64-byte key. It returns an error for text that
// is not base64, for any other length, and for a 64-byte key whose public half is
// not its seed's.
func ParsePrivateKey(s string) (ed25519.PrivateKey, error) {
	s = strings.TrimSpace(s)
	var raw []byte
	var err error
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if raw, err = enc.DecodeString(s); err == nil {
			break
		}
	}
	if err != nil {
		return nil, errors.New("receipts: the key is not base64")
	}
	switch len(raw) {
	case ed25519.SeedSize:
		return ed25519.NewKeyFromSeed(raw), nil
	case ed25519.PrivateKeySize:
		// The second half is the public key; one that is not the seed's would sign
		// receipts that the published key never verifies.
		key := ed25519.NewKeyFromSeed(raw[:ed25519.SeedSize])
		if !bytes.Equal(key, raw) {
			return nil, errors.New("receipts: the key's public half does not match its seed")
		}
		return key, nil
	}
	return nil, fmt.Errorf("receipts: a key has %d or %d bytes, not %d", ed25519.SeedSize, ed25519.PrivateKeySize, len(raw))
}

// ParsePublicKey reads a public key given as base64.
func ParsePublicKey(s string) (ed25519.PublicKey, error) {
	s = strings.TrimSpace(s)
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if raw, err := enc.DecodeString(s); err == nil && len(raw) == ed25519.PublicKeySize {
			return ed25519.PublicKey(raw), nil
		}
	}
	return nil, errors.New("receipts: not a base64 Ed25519 public key")
}

// LoadKey returns the signing key: from the environment value (base64) when set,
// else from the file when named, else the one kept in the database — generated
// there once, so every server instance signs with the same key.
func LoadKey(ctx context.Context, db *sqlx.DB, envValue, file string) (ed25519.PrivateKey, error) {
	if envValue != "" {
		return ParsePrivateKey(envValue)
	}
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return nil, fmt.Errorf("receipts: key file: %w", err)
		}
		return ParsePrivateKey(string(b))
	}
	_, fresh, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	const ins = `INSERT INTO signing_keys (name, private_key) VALUES ('receipts', $1) ON CONFLICT (name) DO NOTHING`
	if _, err := db.ExecContext(ctx, ins, []byte(fresh.Seed())); err != nil {
		return nil, fmt.Errorf("receipts: keep key: %w", err)
	}
	var seed []byte
	if err := db.GetContext(ctx, &seed, `SELECT private_key FROM signing_keys WHERE name = 'receipts'`); err != nil {
		return nil, fmt.Errorf("receipts: load key: %w", err)
	}
	if len(seed) != ed25519.SeedSize {
		return nil, errors.New("receipts: the stored key is damaged")
	}
	return ed25519.NewKeyFromSeed(seed), nil
}
