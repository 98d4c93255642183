package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/ops/personal"
)

// ErrErased means the person's key was deleted: their personal data can no longer be read.
var ErrErased = errors.New("sqlite: personal data erased (Art. 17 GDPR)")

// Vault encrypts personal data with one AES-256-GCM key per person, kept in the person_keys table
// of the same file. Erase deletes the key (with secure_delete, and a truncating WAL checkpoint so
// that no copy stays in the WAL), after which the person's data is unreadable everywhere it is
// stored.
type Vault struct {
	db    *sql.DB // a connection of its own: key writes go between the event writer's transactions
	scrub *scrubber

	mu   sync.Mutex
	keys map[string][]byte
}

// Vault returns the store's key vault; nil for a read-only store.
func (s *Store) Vault() *Vault {
	s.vaultOnce.Do(func() {
		if s.cfg.ReadOnly {
			return
		}
		db := s.openWriteDB(s.dsn(true), HolderVault)
		db.SetMaxOpenConns(1)
		scrub, err := sql.Open("sqlite", s.dsnBusy(true, 0))
		if err != nil { // sql.Open only fails for an unknown driver
			panic(err)
		}
		scrub.SetMaxOpenConns(1)
		s.vault = &Vault{db: db, scrub: newScrubber(scrub, &s.writeMu), keys: map[string][]byte{}}
	})
	return s.vault
}

func (v *Vault) key(ctx context.Context, person string, create bool) ([]byte, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if k, ok := v.keys[person]; ok {
		return k, nil
	}
	var k []byte
	err := v.db.QueryRowContext(ctx, `SELECT key FROM person_keys WHERE person_id = ?`, person).Scan(&k)
	switch {
	case errors.Is(err, sql.ErrNoRows) && create:
		if k, err = personal.NewKey(); err != nil {
			return nil, err
		}
		if _, err := v.db.ExecContext(ctx, `INSERT INTO person_keys (person_id, key, created_at) VALUES (?, ?, ?)`,
			person, k, time.Now().UTC().Format(time.RFC3339Nano)); err != nil {
			return nil, fmt.Errorf("sqlite: store key: %w", storageError(err))
		}
	case errors.Is(err, sql.ErrNoRows):
		return nil, ErrErased
	case err != nil:
		return nil, fmt.Errorf("sqlite: read key: %w", err)
	}
	v.keys[person] = k
	return k, nil
}

// Seal encrypts plaintext with the person's key, creating the key on first use.
func (v *Vault) Seal(ctx context.Context, person, plaintext string) (process.Sealed, error) {
	if person == "" {
		return process.Sealed{}, errors.New("sqlite: seal: no person")
	}
	k, err := v.key(ctx, person, true)
	if err != nil {
		return process.Sealed{}, err
	}
	return personal.Seal(k, person, plaintext)
}

// Open decrypts sealed data; it fails with ErrErased once the person was erased.
func (v *Vault) Open(ctx context.Context, s process.Sealed) (string, error) {
	if s.IsZero() {
		return "", nil
	}
	k, err := v.key(ctx, s.Person, false)
	if err != nil {
		return "", err
	}
	text, err := personal.Open(k, s)
	if err != nil {
		return "", fmt.Errorf("sqlite: %w", err)
	}
	return text, nil
}

// Has reports whether the person has a key: registered and not erased.
func (v *Vault) Has(ctx context.Context, person string) (bool, error) {
	_, err := v.key(ctx, person, false)
	switch {
	case errors.Is(err, ErrErased):
		return false, nil
	case err != nil:
		return false, err
	}
	return true, nil
}

// Erase deletes the person's key for good. The row is deleted in one short transaction and
// overwritten (secure_delete). Earlier images of its page stay in the WAL until a truncating
// checkpoint empties it; Erase tries one at once and, when a reader holds an older snapshot,
// leaves it to a background loop that retries until the readers are gone. Neither waits for a
// reader while holding the write lock, so commands and reads go on beside a long reader.
// Scrubbed waits until the key has left the WAL.
func (v *Vault) Erase(ctx context.Context, person string) error {
	v.mu.Lock()
	delete(v.keys, person)
	_, err := v.db.ExecContext(ctx, `DELETE FROM person_keys WHERE person_id = ?`, person)
	v.mu.Unlock()
	if err != nil {
		return fmt.Errorf("sqlite: erase key: %w", storageError(err))
	}
	v.scrub.request(ctx)
	return nil
}

// Scrubbed returns when no key erased before the call remains in the WAL (a truncating checkpoint
// succeeded after it), or with an error when ctx ends first.
func (v *Vault) Scrubbed(ctx context.Context) error {
	return v.scrub.wait(ctx)
}

func (v *Vault) close() error {
	if v == nil {
		return nil
	}
	return errors.Join(v.scrub.close(), v.db.Close())
}
