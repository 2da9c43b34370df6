package main

// recoverPanics makes process turn a panic while building one connection's
// report into an internal_error entry on that connection (report.Builder's
// Recover), so one bad connection never costs the others. Fuzz targets
// turn it off so that bugs surface as crashes.
var recoverPanics = true
