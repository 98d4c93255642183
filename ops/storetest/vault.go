package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/workflows/engine"
)

// Vault is the key vault port the engine uses, with Scrubbed: the wait until erased keys have
// left the adapter's files.
type Vault interface {
	engine.Vault
	// Scrubbed returns when no key erased before the call remains in the store's files.
	Scrubbed(ctx context.Context) error
}

// VaultFeatures describes the adapter's vault.
type VaultFeatures struct {
	// Erased is the error (errors.Is) that Open returns for an erased person's data. Required.
	Erased error
}

// RunVault runs the vault's conformance suite: sealed data opens with the person's key only,
// erasure makes it unreadable for good, concurrent first uses agree on one key.
func RunVault(t *testing.T, newVault func(t *testing.T) Vault, f VaultFeatures) {
	if f.Erased == nil {
		t.Fatal("storetest: VaultFeatures.Erased is required")
	}
	tests := []struct {
		name string
		fn   func(t *testing.T, v Vault, f VaultFeatures)
	}{
		{"seals_and_opens_personal_data", testSealOpen},
		{"binds_sealed_data_to_its_person", testBoundToPerson},
		{"knows_who_has_a_key", testHas},
		{"erasure_makes_sealed_data_unreadable_for_good", testErase},
		{"erasing_an_unknown_person_is_no_error", testEraseUnknown},
		{"concurrent_first_seals_agree_on_one_key", testConcurrentFirstSeal},
		{"refuses_to_seal_without_a_person", testSealNoPerson},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, newVault(t), f) })
	}
}

func ctxFor(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func person() string { return "person-" + uuid.NewString() }

func mustSeal(t *testing.T, v Vault, person, text string) process.Sealed {
	t.Helper()
	s, err := v.Seal(ctxFor(t), person, text)
	if err != nil {
		t.Fatalf("seal for %s: %v", person, err)
	}
	return s
}

func testSealOpen(t *testing.T, v Vault, _ VaultFeatures) {
	p := person()
	for _, text := range []string{"Erika Mustermann", "", "Jürgen Groß, Straße des 17. Juni 1, 10623 Berlin"} {
		s := mustSeal(t, v, p, text)
		if s.Person != p || s.Ciphertext == "" {
			t.Fatalf("sealed %q = %+v: want the person and a ciphertext", text, s)
		}
		if s.Ciphertext == text {
			t.Fatalf("sealed %q is the plain text", text)
		}
		got, err := v.Open(ctxFor(t), s)
		if err != nil || got != text {
			t.Fatalf("open = %q, %v; want %q", got, err, text)
		}
	}
	a, b := mustSeal(t, v, p, "same"), mustSeal(t, v, p, "same")
	if a.Ciphertext == b.Ciphertext {
		t.Error("sealing the same text twice gave the same ciphertext (nonce reused)")
	}
	if got, err := v.Open(ctxFor(t), process.Sealed{}); err != nil || got != "" {
		t.Errorf("open of nothing = %q, %v; want empty, no error", got, err)
	}
}

func testBoundToPerson(t *testing.T, v Vault, _ VaultFeatures) {
	a, b := person(), person()
	mustSeal(t, v, b, "b has a key")
	s := mustSeal(t, v, a, "Erika Mustermann")
	cases := []struct {
		name   string
		sealed process.Sealed
	}{
		{"another_persons_key", process.Sealed{Person: b, Ciphertext: s.Ciphertext}},
		{"damaged_ciphertext", process.Sealed{Person: a, Ciphertext: s.Ciphertext[:len(s.Ciphertext)-4] + "AAAA"}},
		{"not_base64", process.Sealed{Person: a, Ciphertext: "%%%"}},
		{"too_short", process.Sealed{Person: a, Ciphertext: "AAAA"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got, err := v.Open(ctxFor(t), c.sealed); err == nil {
				t.Fatalf("open = %q, nil; want an error", got)
			}
		})
	}
}

func testHas(t *testing.T, v Vault, _ VaultFeatures) {
	p := person()
	if has, err := v.Has(ctxFor(t), p); err != nil || has {
		t.Fatalf("before sealing: Has = %v, %v; want false", has, err)
	}
	mustSeal(t, v, p, "x")
	if has, err := v.Has(ctxFor(t), p); err != nil || !has {
		t.Fatalf("after sealing: Has = %v, %v; want true", has, err)
	}
	if err := v.Erase(ctxFor(t), p); err != nil {
		t.Fatal(err)
	}
	if has, err := v.Has(ctxFor(t), p); err != nil || has {
		t.Fatalf("after erasing: Has = %v, %v; want false", has, err)
	}
}

func testErase(t *testing.T, v Vault, f VaultFeatures) {
	p, other := person(), person()
	s := mustSeal(t, v, p, "Erika Mustermann")
	o := mustSeal(t, v, other, "Otto Normalverbraucher")
	if err := v.Erase(ctxFor(t), p); err != nil {
		t.Fatal(err)
	}
	if got, err := v.Open(ctxFor(t), s); !errors.Is(err, f.Erased) {
		t.Fatalf("open after erasure = %q, %v; want %v", got, err, f.Erased)
	}
	if got, err := v.Open(ctxFor(t), o); err != nil || got != "Otto Normalverbraucher" {
		t.Fatalf("another person's data after the erasure = %q, %v", got, err)
	}
	// Sealing for the person again makes a new key; the old data stays unreadable.
	again := mustSeal(t, v, p, "neu")
	if got, err := v.Open(ctxFor(t), again); err != nil || got != "neu" {
		t.Fatalf("new data after erasure = %q, %v", got, err)
	}
	if got, err := v.Open(ctxFor(t), s); err == nil {
		t.Fatalf("old data opened with the new key: %q", got)
	}
	if err := v.Scrubbed(ctxFor(t)); err != nil {
		t.Fatalf("scrubbed: %v", err)
	}
}

func testEraseUnknown(t *testing.T, v Vault, _ VaultFeatures) {
	if err := v.Erase(ctxFor(t), person()); err != nil {
		t.Fatalf("erase of a person without a key: %v", err)
	}
}

func testConcurrentFirstSeal(t *testing.T, v Vault, _ VaultFeatures) {
	p := person()
	sealed := make([]process.Sealed, 8)
	var wg sync.WaitGroup
	for i := range sealed {
		wg.Go(func() {
			s, err := v.Seal(ctxFor(t), p, fmt.Sprintf("text %d", i))
			if err != nil {
				t.Error(err)
			}
			sealed[i] = s
		})
	}
	wg.Wait()
	for i, s := range sealed {
		if got, err := v.Open(ctxFor(t), s); err != nil || got != fmt.Sprintf("text %d", i) {
			t.Errorf("seal %d: open = %q, %v: the concurrent seals used different keys", i, got, err)
		}
	}
}

func testSealNoPerson(t *testing.T, v Vault, _ VaultFeatures) {
	if s, err := v.Seal(ctxFor(t), "", "x"); err == nil {
		t.Fatalf("seal without a person = %+v, nil; want an error", s)
	}
}
