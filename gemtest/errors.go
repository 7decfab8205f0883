package gemtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
)

// apiError is an error response. Handlers return it as their error; the strict server's
// ResponseErrorHandlerFunc writes it (see api.go).
type apiError struct {
	status int
	body   map[string]any
}

func (e *apiError) Error() string {
	b, _ := json.Marshal(e.body)
	return http.StatusText(e.status) + ": " + string(b)
}

// smorestBody is flask-smorest's error envelope: code and status always, message and
// errors only when set (docs/gem-api.md §2.0, FS error_handler.py). Maps marshal with sorted keys,
// as Flask's jsonify does.
func smorestBody(status int, message string, errs map[string]any) map[string]any {
	body := map[string]any{"code": status, "status": http.StatusText(status)}
	if message != "" {
		body["message"] = message
	}
	if errs != nil {
		body["errors"] = errs
	}
	return body
}

// gatewayBody is AWS API Gateway's default error body (docs/gem-api.md §2.1, §2.6).
func gatewayBody(message string) map[string]any {
	return map[string]any{"message": message}
}

func smorestError(status int, message string, errs map[string]any) *apiError {
	return &apiError{status: status, body: smorestBody(status, message, errs)}
}

// badRequest is a business-rule 400: Gem uses the validation envelope with "Bad Request"
// (docs/gem-api.md §2.5). fe, when not nil, goes under errors.json.
func badRequest(message string, fe fieldErrors) *apiError {
	var errs map[string]any
	if fe != nil {
		errs = map[string]any{"json": map[string]any(fe)}
	}
	return smorestError(http.StatusBadRequest, message, errs)
}

// invalidReference is the 400 for an id in a request body that names nothing: the
// document does not say; a 400 naming the field is the guess (errors.json.<field>).
func invalidReference(what string, path ...string) *apiError {
	fe := fieldErrors{}
	fe.add(what+" not found.", path...)
	return badRequest(what+" not found.", fe)
}

// unprocessable is a 422 in webargs' shape for one location ("json", "query", "files").
func unprocessable(location string, fe fieldErrors) *apiError {
	return smorestError(http.StatusUnprocessableEntity, "", map[string]any{location: map[string]any(fe)})
}

// noPermission is the 400 Gem answers when user_id lacks write access (docs/gem-api.md §2.5, SK).
func noPermission() *apiError {
	return badRequest("User does not have the permission to perform the action.", nil)
}

// notFound is flask-smorest's abort(404); the message is off by default (docs/gem-api.md §5).
func (f *Fake) notFound(what string) *apiError {
	msg := ""
	if f.cfg.notFoundText {
		msg = what + " not found."
	}
	return smorestError(http.StatusNotFound, msg, nil)
}

// fieldErrors is marshmallow's error dictionary: field name to a list of messages, nested
// by field (and by list index, as a string) for nested schemas and lists.
type fieldErrors map[string]any

// add appends msg at path, creating nested dictionaries as needed. Where a path ends on a
// dictionary already, the message goes under "_schema", as marshmallow does.
func (fe fieldErrors) add(msg string, path ...string) {
	if len(path) == 0 {
		path = []string{"_schema"}
	}
	m := fe
	for _, key := range path[:len(path)-1] {
		next, ok := m[key].(fieldErrors)
		if !ok {
			next = fieldErrors{}
			if prev, isList := m[key].([]string); isList {
				next["_schema"] = prev
			}
			m[key] = next
		}
		m = next
	}
	last := path[len(path)-1]
	switch cur := m[last].(type) {
	case fieldErrors:
		cur.add(msg)
	case []string:
		for _, have := range cur {
			if have == msg {
				return
			}
		}
		m[last] = append(cur, msg)
	default:
		m[last] = []string{msg}
	}
}

// writeJSON writes body as compact JSON with the status.
func writeJSON(w http.ResponseWriter, status int, body any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(body); err != nil {
		status = http.StatusInternalServerError
		buf.Reset()
		buf.WriteString(`{"code":500,"status":"Internal Server Error"}` + "\n")
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}

// writeError writes err: an *apiError as itself, anything else as a 500.
func writeError(w http.ResponseWriter, err error) {
	var ae *apiError
	if !errors.As(err, &ae) {
		ae = smorestError(http.StatusInternalServerError, strings.TrimSpace(err.Error()), nil)
	}
	writeJSON(w, ae.status, ae.body)
}
