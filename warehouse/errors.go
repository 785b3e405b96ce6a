package warehouse

import (
	"errors"
	"fmt"
	"regexp"
)

// ErrLocked is returned by Open when another process holds the warehouse file.
var ErrLocked = errors.New("warehouse is in use by another attrib process")

// LockedError says which file is locked and, when DuckDB reports it, by which PID.
type LockedError struct {
	Path string
	PID  string
	Err  error
}

func (e *LockedError) Error() string {
	who := "another attrib process"
	if e.PID != "" {
		who += " (PID " + e.PID + ")"
	}
	return fmt.Sprintf("warehouse %s is in use by %s: stop it, or run `attrib query` which talks to a running `attrib serve`", e.Path, who)
}

// Unwrap lets errors.Is(err, ErrLocked) match.
func (e *LockedError) Unwrap() []error { return []error{ErrLocked, e.Err} }

var lockRE = regexp.MustCompile(`Could not set lock on file`)
var pidRE = regexp.MustCompile(`PID (\d+)`)

// classifyOpenError turns DuckDB's lock error into a *LockedError.
func classifyOpenError(path string, err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	if lockRE.MatchString(msg) {
		le := &LockedError{Path: path, Err: err}
		if m := pidRE.FindStringSubmatch(msg); m != nil {
			le.PID = m[1]
		}
		return le
	}
	return fmt.Errorf("warehouse: open %s: %w", path, err)
}
