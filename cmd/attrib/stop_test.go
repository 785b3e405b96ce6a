package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"
)

// TestBoundStopExitsWhenTheCommandHangs: after the signal, a command that
// does not return within the budget is ended with exit(1) and a message;
// signal catching is released first so a second signal kills at once.
func TestBoundStopExitsWhenTheCommandHangs(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{}) // the command never returns
	released := make(chan struct{})
	exited := make(chan int, 1)
	var stderr bytes.Buffer
	finished := make(chan struct{})
	go func() {
		boundStop(ctx, done, func() { close(released) }, 20*time.Millisecond, &stderr, func(code int) { exited <- code })
		close(finished)
	}()
	select {
	case <-released:
		t.Fatal("released before the signal")
	case <-exited:
		t.Fatal("exited before the signal")
	default:
	}
	cancel() // the first signal
	<-released
	if code := <-exited; code != 1 {
		t.Fatalf("exit code %d, want 1", code)
	}
	<-finished
	if !strings.Contains(stderr.String(), "exiting without waiting") {
		t.Fatalf("message %q", stderr.String())
	}
}

// TestBoundStopWaitsForACommandThatStops: a command that returns after the
// signal, within the budget, is never cut short.
func TestBoundStopWaitsForACommandThatStops(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	released := make(chan struct{})
	finished := make(chan struct{})
	exited := false
	go func() {
		boundStop(ctx, done, func() { close(released) }, time.Hour, &bytes.Buffer{}, func(int) { exited = true })
		close(finished)
	}()
	cancel()
	<-released
	close(done) // the command returns
	<-finished
	if exited {
		t.Fatal("exited although the command returned")
	}
}

// TestBoundStopReturnsWithoutSignal: a command that ends normally leaves
// signal handling and the process alone.
func TestBoundStopReturnsWithoutSignal(t *testing.T) {
	done := make(chan struct{})
	close(done)
	boundStop(context.Background(), done, func() { t.Fatal("released without a signal") }, time.Millisecond, &bytes.Buffer{}, func(int) { t.Fatal("exited") })
}
