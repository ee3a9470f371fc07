package store

import (
	"context"
	"testing"
	"time"
)

// TestTokensKeepRecall: a tab's Keep is announced and recalled with its
// refresh fingerprint only; another tab (a reload, or before the broadcast)
// has nothing until the announcement arrives; a rotation makes the old
// access token stale; Forget drops it everywhere.
func TestTokensKeepRecall(t *testing.T) {
	ctx := context.Background()
	var changes []Change
	one := &Tokens{OnChange: func(c Change) { changes = append(changes, c) }}
	one.Keep("abc", "mat_ACCESS", "fp1")
	if len(changes) != 1 || changes[0] != (Change{Key: "abc", AccessToken: "mat_ACCESS", RefreshHash: "fp1"}) {
		t.Fatalf("changes = %+v", changes)
	}
	if got, ok := one.Recall(ctx, "abc", "fp1"); !ok || got != "mat_ACCESS" {
		t.Errorf("Recall = %q, %v", got, ok)
	}
	if got, ok := one.Recall(ctx, "abc", "fp-other"); ok || got != "" {
		t.Errorf("Recall of another refresh token = %q, %v; want none", got, ok)
	}

	two := &Tokens{}
	if got, ok := two.Recall(ctx, "abc", "fp1"); ok {
		t.Errorf("another tab recalls %q before the announcement", got)
	}
	two.Remember(changes[0])
	if got, ok := two.Recall(ctx, "abc", "fp1"); !ok || got != "mat_ACCESS" {
		t.Errorf("after Remember: %q, %v", got, ok)
	}
	one.Keep("abc", "mat_NEW", "fp2")
	if got, ok := two.Recall(ctx, "abc", "fp2"); ok {
		t.Errorf("after a rotation it did not hear of, the other tab recalls %q", got)
	}

	one.Forget("abc")
	if last := changes[len(changes)-1]; !last.Deleted || last.Key != "abc" {
		t.Errorf("last change = %+v, want the deletion", last)
	}
	if got, ok := one.Recall(ctx, "abc", "fp2"); ok {
		t.Errorf("a forgotten session recalls %q", got)
	}
}

// TestTokensHandoffWait: two tabs refresh at once; the second gets the
// lock after the first wrote the rotated session, but the first's
// announcement may arrive after that. With HandoffWait the second waits
// for it instead of refreshing again.
func TestTokensHandoffWait(t *testing.T) {
	ctx := context.Background()
	var announced []Change
	a := &Tokens{OnChange: func(c Change) { announced = append(announced, c) }}
	b := &Tokens{HandoffWait: 2 * time.Second}
	a.Keep("abc", "mat_1", "fp1")
	b.Remember(announced[0])
	if got, _ := b.Recall(ctx, "abc", "fp1"); got != "mat_1" {
		t.Fatalf("b got %q, want the first access token", got)
	}

	a.Keep("abc", "mat_2", "fp2")
	go func() {
		// Announce once b is waiting for an announcement.
		b.mu.Lock()
		for b.arrived == nil {
			b.mu.Unlock()
			time.Sleep(time.Millisecond)
			b.mu.Lock()
		}
		b.mu.Unlock()
		b.Remember(announced[1])
	}()
	start := time.Now()
	if got, ok := b.Recall(ctx, "abc", "fp2"); !ok || got != "mat_2" {
		t.Errorf("b got %q, %v; want the rotated access token announced late", got, ok)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("b waited %v, want less than HandoffWait", d)
	}

	// No announcement comes: after HandoffWait nothing (the token source
	// then refreshes).
	b.HandoffWait = 100 * time.Millisecond
	a.Keep("abc", "mat_3", "fp3")
	start = time.Now()
	if got, ok := b.Recall(ctx, "abc", "fp3"); ok {
		t.Errorf("b got %q, want none", got)
	}
	if d := time.Since(start); d < 100*time.Millisecond || d > time.Second {
		t.Errorf("b waited %v, want HandoffWait", d)
	}
	// A tab that never saw the session (a reload) does not wait.
	fresh := &Tokens{HandoffWait: time.Minute}
	start = time.Now()
	if _, ok := fresh.Recall(ctx, "abc", "fp3"); ok {
		t.Errorf("a fresh tab recalls a token")
	}
	if d := time.Since(start); d > 500*time.Millisecond {
		t.Errorf("a fresh tab waited %v", d)
	}
	// A cancelled wait gives up at once.
	b.HandoffWait = time.Minute
	a.Keep("abc", "mat_4", "fp4")
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, ok := b.Recall(cctx, "abc", "fp4"); ok {
		t.Errorf("a cancelled Recall returned a token")
	}
}
