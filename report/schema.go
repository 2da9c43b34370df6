package report

import _ "embed"

// Schema is the JSON Schema (draft 2020-12) of one NDJSON report line. It
// is tested against every golden output; `padlock --schema` prints it.
//
//go:embed schema/connection.schema.json
var Schema []byte
