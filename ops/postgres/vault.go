package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/ops/personal"
)

// ErrErased means the person's key was deleted: their personal data can no longer be read.
var ErrErased = errors.New("postgres: personal data erased (Art. 17 GDPR)")

// Vault encrypts personal data with one AES-256-GCM key per person, kept in the person_keys table
// beside the log. Keys are not cached in the process: an erasure by any instance takes effect on
// every instance at once.
//
// Erase deletes the key's row and rewrites the table (VACUUM FULL), so that no byte of the key
// stays in the table's files. A plain VACUUM would only mark the row's space free: its bytes
// would stay on the page until overwritten. While a transaction that could still see the row
// runs (an older snapshot), the rewrite would copy it along, so Erase rewrites at once only when
// no such snapshot exists and otherwise leaves it to a background loop; Scrubbed waits for it.
// The write-ahead log (and its archive or replicas) keeps the key until it is recycled: that is
// the database operator's part (see README, "Crypto-shredding on PostgreSQL").
type Vault struct {
	s     *Store
	scrub *scrubber
}

// Vault returns the store's key vault.
func (s *Store) Vault() *Vault {
	s.vaultOnce.Do(func() { s.vault = &Vault{s: s, scrub: newScrubber(s)} })
	return s.vault
}

func (v *Vault) key(ctx context.Context, person string, create bool) ([]byte, error) {
	if v.s.isClosed() {
		return nil, eventstore.ErrClosed
	}
	var k []byte
	err := v.s.pool.QueryRow(ctx, `SELECT key FROM person_keys WHERE person_id = $1`, person).Scan(&k)
	switch {
	case errors.Is(err, pgx.ErrNoRows) && create:
		return v.create(ctx, person)
	case errors.Is(err, pgx.ErrNoRows):
		return nil, ErrErased
	case err != nil:
		return nil, fmt.Errorf("postgres: read key: %w", err)
	}
	return k, nil
}

// create stores a new key for person; when another instance stored one first, that one is used.
// (When that one was not yet committed as the statement began, the statement sees neither: the
// next attempt reads it.)
func (v *Vault) create(ctx context.Context, person string) ([]byte, error) {
	k, err := personal.NewKey()
	if err != nil {
		return nil, err
	}
	for range 3 {
		var stored []byte
		err = v.s.pool.QueryRow(ctx, `WITH ins AS (
				INSERT INTO person_keys (person_id, key, created_at) VALUES ($1, $2, $3)
				ON CONFLICT (person_id) DO NOTHING RETURNING key)
			SELECT key FROM ins UNION ALL SELECT key FROM person_keys WHERE person_id = $1 LIMIT 1`,
			person, k, time.Now().UTC()).Scan(&stored)
		if err == nil {
			return stored, nil
		}
		if !isNoRows(err) {
			break
		}
	}
	return nil, fmt.Errorf("postgres: store key: %w", err)
}

// Seal encrypts plaintext with the person's key, creating the key on first use.
func (v *Vault) Seal(ctx context.Context, person, plaintext string) (process.Sealed, error) {
	if person == "" {
		return process.Sealed{}, errors.New("postgres: seal: no person")
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
		return "", fmt.Errorf("postgres: %w", err)
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

// Erase deletes the person's key for good, then rewrites the key table so that its files hold no
// byte of it: at once when no older snapshot could still see the row, else in the background
// (Scrubbed waits for that).
func (v *Vault) Erase(ctx context.Context, person string) error {
	if v.s.isClosed() {
		return eventstore.ErrClosed
	}
	var xid uint64
	err := v.s.pool.QueryRow(ctx, `WITH d AS (DELETE FROM person_keys WHERE person_id = $1)
		SELECT pg_current_xact_id()::text::bigint`, person).Scan(&xid)
	if err != nil {
		return fmt.Errorf("postgres: erase key: %w", err)
	}
	return v.scrub.request(ctx, xid)
}

// Scrubbed returns when no key erased before the call remains in the key table's files (a
// rewrite succeeded after it), or with an error when ctx ends first.
func (v *Vault) Scrubbed(ctx context.Context) error {
	return v.scrub.wait(ctx)
}
