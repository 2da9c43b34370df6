//go:build ignore

// gen.go regenerates tables.go from the CSV snapshots in registry/.
// Run it through `go generate ./dissect/iana` (see doc.go). The work is done
// by internal/ianagen, which TestTablesUpToDate also calls, so the checked-in
// tables.go can never drift from the CSVs unnoticed.
package main

import (
	"log"
	"os"

	"github.com/padlock-tls/padlock/dissect/iana/internal/ianagen"
)

func main() {
	log.SetFlags(0)
	out, err := ianagen.Generate("registry")
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile("tables.go", out, 0o644); err != nil {
		log.Fatal(err)
	}
}
