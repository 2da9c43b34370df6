// Package dissect turns TLS record payloads into meaning: handshake messages
// (joined and split across records), their fields and extensions, alerts and
// the other content types. It is pure: bytes in, values out, no I/O.
//
// A passive observer must show as much as it can, so decoders never give up
// on the first problem: they return the partial value parsed so far together
// with coded errors (see codes.go).
package dissect

import "fmt"

// Code is a stable, machine-readable snake_case name for a problem found in
// the bytes. The list lives in codes.go; users match on it with jq.
type Code string

// Error is one problem found while decoding: what (Code, Msg) and where
// (Off, counted from the start of the value handed to the decoder).
type Error struct {
	Code Code
	Off  int
	Msg  string
}

func (e *Error) Error() string {
	return fmt.Sprintf("dissect: %s at offset %d: %s", e.Code, e.Off, e.Msg)
}

// errorf builds an Error; Msg follows Go's error style (lower case, no period).
func errorf(code Code, off int, format string, args ...any) *Error {
	return &Error{Code: code, Off: off, Msg: fmt.Sprintf(format, args...)}
}
