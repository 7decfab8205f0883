package gemtest

import (
	"encoding/base64"
	"strconv"
)

// kind is a type of object with its own id sequence.
type kind int

const (
	kindUser kind = iota
	kindCandidate
	kindProject
	kindCustomField
	kindCustomFieldOption
	kindProjectField
	kindProjectFieldOption
	kindNote
	kindEvent
	kindResume
	kindSequence
	kindDataExport
	numKinds
)

// idPrefix is the "<type>" of each kind's ids, which are standard, padded base64 of
// "<type>:<n>" (docs/gem-api.md §2.2). Observed on the live API: "candidates", "users" (lowercase
// plural) and "Project" (capitalised singular). "CustomField" is inferred from a truncated
// "Q3VzdG9t..." ("Custom..."). The others are guesses in the capitalised style; ids are
// opaque to clients, so only their look matters.
var idPrefix = [numKinds]string{
	kindUser:               "users",
	kindCandidate:          "candidates",
	kindProject:            "Project",
	kindCustomField:        "CustomField",
	kindCustomFieldOption:  "CustomFieldOption",
	kindProjectField:       "ProjectField",
	kindProjectFieldOption: "ProjectFieldOption",
	kindNote:               "Note",
	kindEvent:              "CandidateEvent",
	kindResume:             "UploadedResume",
	kindSequence:           "Sequence",
	kindDataExport:         "DataExport",
}

// encodeID returns the id of the n-th object of kind k. Counting from 1, ids vary in
// length and padding ("users:1" → "dXNlcnM6MQ==", "Project:1" → "UHJvamVjdDox").
func encodeID(k kind, n int64) string {
	return base64.StdEncoding.EncodeToString([]byte(idPrefix[k] + ":" + strconv.FormatInt(n, 10)))
}
