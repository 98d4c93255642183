package seal

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// Head is a tree head: the size of the log and the root hash of its tree, at a time.
type Head struct {
	Size int64
	Root tlog.Hash
	Time time.Time
}

const headPrefix = "civicflow tree head v1\n"

// Text is the head as the signed text of a note.
func (h Head) Text() string {
	return fmt.Sprintf("%s%d\n%s\n%s\n", headPrefix, h.Size, base64.StdEncoding.EncodeToString(h.Root[:]), h.Time.UTC().Format(time.RFC3339Nano))
}

// ErrBadHead means a signed head is malformed or its signature does not verify.
var ErrBadHead = errors.New("seal: bad tree head")

// OpenHead checks a signed head with the verifier and returns the head.
func OpenHead(signed []byte, verifier note.Verifier) (Head, error) {
	n, err := note.Open(signed, note.VerifierList(verifier))
	if err != nil {
		return Head{}, fmt.Errorf("%w: %v", ErrBadHead, err)
	}
	return parseHead(n.Text)
}

func parseHead(text string) (Head, error) {
	rest, ok := strings.CutPrefix(text, headPrefix)
	lines := strings.Split(strings.TrimSuffix(rest, "\n"), "\n")
	if !ok || len(lines) != 3 {
		return Head{}, fmt.Errorf("%w: not a civicflow tree head", ErrBadHead)
	}
	size, err := strconv.ParseInt(lines[0], 10, 64)
	root, err2 := base64.StdEncoding.DecodeString(lines[1])
	at, err3 := time.Parse(time.RFC3339Nano, lines[2])
	if err != nil || err2 != nil || err3 != nil || size < 0 || len(root) != tlog.HashSize {
		return Head{}, fmt.Errorf("%w: malformed fields", ErrBadHead)
	}
	h := Head{Size: size, Time: at}
	copy(h.Root[:], root)
	return h, nil
}

// GenerateKey makes an Ed25519 signing key for tree heads, in note's text forms: the secret
// signer key (keep it outside the database) and the public verifier key (give it to auditors).
func GenerateKey(name string) (skey, vkey string, err error) {
	return note.GenerateKey(rand.Reader, name)
}

// PublicKey returns the public verifier key of an Ed25519 signer key in note's text form
// ("PRIVATE+KEY+name+hash+key"), for a server whose signing key is given without its ".pub".
func PublicKey(skey string) (string, error) {
	parts := strings.SplitN(strings.TrimSpace(skey), "+", 5)
	if len(parts) != 5 || parts[0] != "PRIVATE" || parts[1] != "KEY" {
		return "", errors.New("seal: not a signer key (PRIVATE+KEY+name+hash+key)")
	}
	raw, err := base64.StdEncoding.DecodeString(parts[4])
	if err != nil || len(raw) != 1+ed25519.SeedSize || raw[0] != 1 {
		return "", errors.New("seal: not an Ed25519 signer key")
	}
	pub := ed25519.NewKeyFromSeed(raw[1:]).Public().(ed25519.PublicKey)
	return note.NewEd25519VerifierKey(parts[2], pub)
}
