// Package personal encrypts personal data with a person's own AES-256-GCM key, the cipher both
// key vaults (ops/sqlite, ops/postgres) use: the ciphertext is bound to the person (additional
// data), so that it opens only with that person's key; deleting the key erases the data
// wherever it is stored (crypto-shredding).
//
//	key, _ := personal.NewKey()
//	s, _ := personal.Seal(key, "person-1", "Erika Mustermann")
//	text, err := personal.Open(key, s)
package personal

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"

	"github.com/civicflow/civicflow/domain/process"
)

// KeySize is the length of a person's key in bytes (AES-256).
const KeySize = 32

var (
	// ErrDamaged means sealed data is not base64 or too short to hold a nonce.
	ErrDamaged = errors.New("sealed data is damaged")
	// ErrWrongKey means sealed data does not open with the key given (another person's key, or
	// changed data).
	ErrWrongKey = errors.New("sealed data does not open with the person's key")
)

// NewKey returns a new random key.
func NewKey() ([]byte, error) {
	k := make([]byte, KeySize)
	if _, err := rand.Read(k); err != nil {
		return nil, err
	}
	return k, nil
}

// Seal encrypts plaintext for person with key and a random nonce.
func Seal(key []byte, person, plaintext string) (process.Sealed, error) {
	gcm, err := newGCM(key)
	if err != nil {
		return process.Sealed{}, err
	}
	nonce := make([]byte, gcm.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return process.Sealed{}, err
	}
	ct := gcm.Seal(nonce, nonce, []byte(plaintext), []byte(person))
	return process.Sealed{Person: person, Ciphertext: base64.StdEncoding.EncodeToString(ct)}, nil
}

// Open decrypts sealed data with key; ErrDamaged or ErrWrongKey when it cannot.
func Open(key []byte, s process.Sealed) (string, error) {
	gcm, err := newGCM(key)
	if err != nil {
		return "", err
	}
	ct, err := base64.StdEncoding.DecodeString(s.Ciphertext)
	if err != nil || len(ct) < gcm.NonceSize() {
		return "", ErrDamaged
	}
	pt, err := gcm.Open(nil, ct[:gcm.NonceSize()], ct[gcm.NonceSize():], []byte(s.Person))
	if err != nil {
		return "", ErrWrongKey
	}
	return string(pt), nil
}

func newGCM(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}
