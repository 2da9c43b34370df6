// Package iana names TLS code points: cipher suites, extensions, groups,
// signature schemes, alerts, versions and the other TLS registries that
// padlock reports.
//
// Every lookup returns (name, true) for a known code and ("", false) for an
// unknown one; callers print unknown codes with one fallback format
// (0x%04X or 0x%02X). GREASE values (RFC 8701) are named "GREASE" by the
// 16-bit lookups that can carry them.
//
// The names come from three places, in this order of precedence:
//
//  1. GREASE, checked first (IsGREASE);
//  2. tables.go, generated from the IANA CSV snapshots in registry/ by
//     gen.go (see registry/README for where each file came from);
//  3. overlay.go, a short hand-written list of code points IANA does not
//     name but that real traffic carries (TLS 1.3 drafts, Facebook's fizz
//     versions, pre-standard cipher suites and extensions), each with its
//     source.
//
// Names are IANA's Description verbatim, except that IANA's editorial
// annotations such as "(renamed from ...)" are removed (see
// internal/ianagen.CleanName).
//
// This package imports only the standard library.
package iana

//go:generate go run gen.go
