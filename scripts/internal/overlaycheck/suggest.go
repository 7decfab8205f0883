package overlaycheck

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

var versionSegment = regexp.MustCompile(`^v[0-9]+$`)

// Suggest derives an operationId from an operation's method and path. The
// leading version segment ("v0") and path parameters are dropped, the other
// segments become the thing's name, singular except for the last segment of
// a collection (a path ending in a literal segment); a segment that repeats
// the one before it as a prefix replaces it:
//
//	GET    /v0/candidates                       ListCandidates
//	POST   /v0/candidates                       CreateCandidate
//	GET    /v0/candidates/{candidate_id}        GetCandidate
//	PUT    /v0/candidates/{candidate_id}        UpdateCandidate (PATCH too)
//	DELETE /v0/candidates/{candidate_id}        DeleteCandidate
//	GET    /v0/candidates/{candidate_id}/notes  ListCandidateNotes
//
// It is a starting point for a human, who may rename it.
func Suggest(method, path string) string {
	var nouns []string
	collection := false
	for i, seg := range strings.Split(strings.Trim(path, "/"), "/") {
		switch {
		case seg == "" || (i == 0 && versionSegment.MatchString(seg)):
		case strings.HasPrefix(seg, "{"):
			collection = false
		default:
			// /projects/{id}/project_field_options: ProjectFieldOptions,
			// not ProjectProjectFieldOptions.
			if k := len(nouns) - 1; k >= 0 && strings.HasPrefix(seg, singular(nouns[k])+"_") {
				nouns = nouns[:k]
			}
			nouns = append(nouns, seg)
			collection = true
		}
	}

	var verb string
	plural := collection // keep the last noun plural
	switch strings.ToLower(method) {
	case "get":
		verb = "Get"
		if collection {
			verb = "List"
		}
	case "post":
		verb, plural = "Create", false
	case "put", "patch":
		verb = "Update"
	case "delete":
		verb = "Delete"
	default:
		verb = pascal(strings.ToLower(method))
	}

	var b strings.Builder
	b.WriteString(verb)
	if len(nouns) == 0 {
		b.WriteString("Root")
	}
	for i, n := range nouns {
		if i < len(nouns)-1 || !plural {
			n = singular(n)
		}
		b.WriteString(pascal(n))
	}
	return b.String()
}

// singular turns a regular English plural into its singular; anything else
// is returned unchanged.
func singular(w string) string {
	switch {
	case strings.HasSuffix(w, "ies") && len(w) > 3:
		return w[:len(w)-3] + "y"
	case strings.HasSuffix(w, "sses"), strings.HasSuffix(w, "shes"),
		strings.HasSuffix(w, "ches"), strings.HasSuffix(w, "xes"):
		return w[:len(w)-2]
	case strings.HasSuffix(w, "ss"), strings.HasSuffix(w, "us"):
		return w
	case strings.HasSuffix(w, "s"):
		return w[:len(w)-1]
	}
	return w
}

// pascal turns snake_case, kebab-case or dotted words into PascalCase.
func pascal(s string) string {
	var b strings.Builder
	for _, part := range strings.FieldsFunc(s, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}) {
		r, size := utf8.DecodeRuneInString(part)
		b.WriteRune(unicode.ToUpper(r))
		b.WriteString(part[size:])
	}
	return b.String()
}
