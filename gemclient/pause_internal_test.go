package gemclient

import (
	"context"
	"testing"
	"time"
)

// A caller already waiting for its token when a pause begins is held too: once its
// token comes it waits for the pause, here failing fast since its deadline is earlier.
func TestLocalLimiterHoldsCallersWaitingForATokenWhenPaused(t *testing.T) {
	// A token every 500 ms: the loop below must see the reservation before the token
	// comes, and 50 ms (20/s) was too short when make test runs its steps side by side.
	l := newLocalLimiter(2, 1)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := l.Wait(ctx); err != nil { // spends the burst
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- l.Wait(ctx) }()
	// Wait until the caller holds a reservation (the bucket goes into debt for it).
	for l.rl.TokensAt(time.Now()) > -0.5 {
		select {
		case err := <-done:
			t.Fatalf("Wait returned before reserving: %v", err)
		case <-time.After(time.Millisecond):
		}
	}
	if err := l.Pause(ctx, time.Hour); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err == nil {
		t.Fatal("a caller that reserved its token before the pause went through during it")
	}
}

// Pauses do not shorten one another.
func TestLocalLimiterPauseKeepsTheLaterEnd(t *testing.T) {
	l := newLocalLimiter(1000, 10)
	ctx := context.Background()
	_ = l.Pause(ctx, time.Hour)
	_ = l.Pause(ctx, time.Millisecond)
	if until := time.Until(l.until); until < 59*time.Minute {
		t.Fatalf("pause ends in %v, want about an hour", until)
	}
}

// A pause that ends before the one in force is old news: it leaves the bucket alone.
// One that ends later empties it.
func TestLocalLimiterOldPauseKeepsTheBucket(t *testing.T) {
	l := newLocalLimiter(0.0001, 3)
	l.until = time.Now().Add(time.Hour)
	_ = l.Pause(context.Background(), time.Millisecond)
	if tokens := l.rl.Tokens(); tokens < 2.9 {
		t.Fatalf("%v tokens left, want 3", tokens)
	}
	_ = l.Pause(context.Background(), 2*time.Hour)
	if tokens := l.rl.Tokens(); tokens > 0.1 {
		t.Fatalf("%v tokens left, want 0", tokens)
	}
}
