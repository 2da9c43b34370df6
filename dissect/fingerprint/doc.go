// Package fingerprint computes TLS fingerprints from hellos and
// certificates that dissect has already decoded: JA3 and JA3S
// (salesforce/ja3), JA4, JA4S and JA4X (FoxIO). It never parses TLS
// itself; the one exception is JA4X, which reads the few DER fields it
// needs from a certificate.
//
// Every function is pure: values in, strings out, no I/O and no state.
//
// # Licensing
//
// JA3 and JA3S are BSD 3-Clause (salesforce/ja3). JA4 is BSD 3-Clause.
// JA4S and JA4X belong to JA4+, which FoxIO licenses under the FoxIO
// License 1.1 (permissive for internal and academic use, not for
// monetization). This package implements them from FoxIO's public
// technical documents; the caller decides whether to compute them (padlock
// does so only with --ja4plus).
//
// # Specifications
//
//   - JA3, JA3S: https://github.com/salesforce/ja3 (README).
//   - JA4: https://github.com/FoxIO-LLC/ja4/blob/main/technical_details/JA4.md
//   - JA4S: https://github.com/FoxIO-LLC/ja4/blob/main/technical_details/JA4S.md
//   - JA4X: https://github.com/FoxIO-LLC/ja4/blob/main/technical_details/JA4X.md
//
// GREASE values (RFC 8701) are dropped from every list, as both
// specifications require ("JA3 ignores these values completely"; JA4 "needs
// to ignore GREASE values anywhere it sees them").
package fingerprint
